// Parsing and validation of dr-app's request bodies and path ids. Everything the client sends is
// checked here, before any database or DynamoDB call, so bad input gets a 4xx and changes nothing.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

namespace dr::app {

// A client error: HTTP status (400/413/422...) and a message for the JSON error body.
struct BadRequest {
  int status = 400;
  std::string code;  // "malformed_json", "missing_field", "wrong_type", "out_of_range", ...
  std::string message;
};

constexpr size_t kMaxBodyBytes = 64 * 1024;
constexpr size_t kMaxTextField = 128;
constexpr int64_t kMaxAmountCents = 100'000'000'000;  // one billion in currency units

struct CreateOrder {
  std::string customer;
  int64_t amount_cents = 0;
  std::string idempotency_key;
};

struct PutSession {
  nlohmann::json data;  // any JSON object, stored as-is
  int64_t version = 0;  // the version the client last read; 0 creates
};

std::expected<CreateOrder, BadRequest> parse_create_order(std::string_view body);
std::expected<PutSession, BadRequest> parse_put_session(std::string_view body);

// Order ids are positive 64-bit integers in decimal.
std::expected<int64_t, BadRequest> parse_order_id(std::string_view text);
// Session ids: 1-128 characters of [A-Za-z0-9_.:-].
std::expected<std::string, BadRequest> parse_session_id(std::string_view text);

nlohmann::json error_body(const BadRequest& error);

}  // namespace dr::app
