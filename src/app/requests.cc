#include "app/requests.h"

#include <algorithm>
#include <charconv>
#include <limits>

namespace dr::app {

namespace {

std::unexpected<BadRequest> bad(int status, std::string code, std::string message) {
  return std::unexpected(BadRequest{status, std::move(code), std::move(message)});
}

std::expected<nlohmann::json, BadRequest> parse_object(std::string_view body) {
  if (body.size() > kMaxBodyBytes)
    return bad(413, "body_too_large",
               "request body is " + std::to_string(body.size()) + " bytes; the limit is " +
                   std::to_string(kMaxBodyBytes));
  if (body.empty())
    return bad(400, "missing_body",
               "the request has no body; send a JSON object (Content-Type: application/json)");
  auto j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return bad(400, "malformed_json", "request body is not valid JSON");
  if (!j.is_object()) return bad(400, "wrong_type", "request body must be a JSON object");
  return j;
}

std::expected<std::string, BadRequest> text_field(const nlohmann::json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end()) return bad(400, "missing_field", std::string("missing field '") + name + "'");
  if (!it->is_string())
    return bad(400, "wrong_type", std::string("field '") + name + "' must be a string");
  const auto& s = it->get_ref<const std::string&>();
  // Characters, as the message and the VARCHAR(128) column (utf8mb4) count them, not bytes: the
  // parser has checked the UTF-8, so every byte that does not continue a character starts one.
  const auto chars = static_cast<std::size_t>(
      std::ranges::count_if(s, [](unsigned char b) { return (b & 0xC0) != 0x80; }));
  if (chars == 0 || chars > kMaxTextField)
    return bad(422, "out_of_range",
               std::string("field '") + name + "' must be 1-" + std::to_string(kMaxTextField) +
                   " characters (it has " + std::to_string(chars) + ")");
  return s;
}

std::expected<int64_t, BadRequest> integer_field(const nlohmann::json& j, const char* name,
                                                 int64_t min, int64_t max) {
  auto it = j.find(name);
  if (it == j.end()) return bad(400, "missing_field", std::string("missing field '") + name + "'");
  if (!it->is_number_integer())
    return bad(400, "wrong_type", std::string("field '") + name + "' must be an integer");
  if (it->is_number_unsigned() &&
      it->get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
    return bad(422, "out_of_range", std::string("field '") + name + "' is too large");
  int64_t v = it->get<int64_t>();
  if (v < min || v > max)
    return bad(422, "out_of_range",
               std::string("field '") + name + "' must be between " + std::to_string(min) +
                   " and " + std::to_string(max));
  return v;
}

}  // namespace

std::expected<CreateOrder, BadRequest> parse_create_order(std::string_view body) {
  auto j = parse_object(body);
  if (!j) return std::unexpected(j.error());
  CreateOrder order;
  auto customer = text_field(*j, "customer");
  if (!customer) return std::unexpected(customer.error());
  auto amount = integer_field(*j, "amount_cents", 1, kMaxAmountCents);
  if (!amount) return std::unexpected(amount.error());
  auto key = text_field(*j, "idempotency_key");
  if (!key) return std::unexpected(key.error());
  order.customer = *customer;
  order.amount_cents = *amount;
  order.idempotency_key = *key;
  return order;
}

std::expected<PutSession, BadRequest> parse_put_session(std::string_view body) {
  auto j = parse_object(body);
  if (!j) return std::unexpected(j.error());
  auto data = j->find("data");
  if (data == j->end()) return bad(400, "missing_field", "missing field 'data'");
  if (!data->is_object()) return bad(400, "wrong_type", "field 'data' must be a JSON object");
  auto version = integer_field(*j, "version", 0, std::numeric_limits<int64_t>::max() - 1);
  if (!version) return std::unexpected(version.error());
  return PutSession{*data, *version};
}

std::expected<int64_t, BadRequest> parse_order_id(std::string_view text) {
  int64_t id = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || id <= 0)
    return bad(400, "bad_id", "order id must be a positive integer");
  return id;
}

std::expected<std::string, BadRequest> parse_session_id(std::string_view text) {
  if (text.empty() || text.size() > kMaxTextField)
    return bad(400, "bad_id", "session id must be 1-128 characters");
  for (char c : text) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.' || c == ':';
    if (!ok) return bad(400, "bad_id", "session id may hold only A-Z a-z 0-9 _ - . :");
  }
  return std::string(text);
}

nlohmann::json error_body(const BadRequest& error) {
  return {{"error", error.code}, {"message", error.message}};
}

}  // namespace dr::app
