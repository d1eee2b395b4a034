// Byte-level helpers shared by the signer and the protocols: SigV4's URI encoding, SHA-256,
// HMAC, hex, base64 and the two timestamp forms AWS uses.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace dr::aws {

// RFC 3986 encoding as SigV4 wants it: unreserved characters (A-Z a-z 0-9 - _ . ~) stay, every
// other byte becomes %XY (upper-case hex). `encode_slash=false` keeps '/' (for paths).
std::string uri_encode(std::string_view in, bool encode_slash);
// Decodes %XY escapes; '+' is left alone (SigV4 query strings never use it for space).
std::string uri_decode(std::string_view in);

std::string hex(std::string_view bytes);
std::string sha256(std::string_view data);  // raw 32 bytes
std::string sha256_hex(std::string_view data);
std::string hmac_sha256(std::string_view key, std::string_view data);  // raw 32 bytes

std::string base64_encode(std::string_view bytes);
std::optional<std::string> base64_decode(std::string_view text);

using SystemTime = std::chrono::system_clock::time_point;
std::string amz_date(SystemTime t);    // 20150830T123600Z
std::string date_stamp(SystemTime t);  // 20150830
std::string iso8601(SystemTime t);     // 2015-08-30T12:36:00Z
// Accepts 2015-08-30T12:36:00Z, with optional fractional seconds and a Z or +00:00 suffix.
std::optional<SystemTime> parse_iso8601(std::string_view text);

}  // namespace dr::aws
