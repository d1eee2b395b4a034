// The few pieces of CBOR (RFC 8949) the lab's Smithy RPC v2 CBOR answers need (rpc_bridge.h):
// writing definite-length maps, arrays, text, integers, doubles and tags; reading one item as
// botocore writes it (definite lengths; tag 1 timestamps kept as their number). nlohmann's own
// reader refuses tags 0-5 even when told to ignore tags, and botocore tags every timestamp 1.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

namespace dr::lab_aws::cbor {

// An item's head: major type 0-7 and its argument (a length, a value or a tag number).
void head(std::string& out, int major, std::uint64_t n);
void text(std::string& out, std::string_view s);
void dbl(std::string& out, double v);  // always 8 bytes: exact
void integer(std::string& out, long long v);

// One item and nothing after it; indefinite lengths, non-text map keys, text that is not
// UTF-8, nesting deeper than 32 and truncation are refused with why.
std::expected<nlohmann::json, std::string> decode(std::string_view bytes);

}  // namespace dr::lab_aws::cbor
