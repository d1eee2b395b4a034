#include "lab/control_client.h"

#include <httplib.h>

#include "lab/control_token.h"
#include "lab/lab_state.h"

namespace dr::lab {

using nlohmann::json;

Result<ControlClient> ControlClient::of_lab(const std::filesystem::path& dir,
                                            std::chrono::milliseconds read_timeout) {
  auto state = load_lab_state(dir);
  if (!state) return std::unexpected(state.error());
  return of_lab(dir, *state, read_timeout);
}

Result<ControlClient> ControlClient::of_lab(const std::filesystem::path& dir, const LabState& state,
                                            std::chrono::milliseconds read_timeout) {
  if (state.control_port == 0)
    return fail(ErrorKind::kNotFound, "the supervisor has no control API yet");
  auto token = read_control_token(dir);
  if (!token) return fail(token.error().kind, "control token: " + token.error().message);
  ControlClientOptions o;
  o.host = state.control_address;
  o.port = state.control_port;
  o.token = *token;
  o.read_timeout = read_timeout;
  return ControlClient(std::move(o));
}

std::expected<json, ControlError> ControlClient::call(const std::string& method,
                                                      const std::string& path,
                                                      const json& body) const {
  httplib::Client c(options_.host, options_.port);
  // cpp-httplib binds to an address given as the "interface" (docs/partitions.md, fact 9).
  if (!options_.source_address.empty()) c.set_interface(options_.source_address);
  c.set_bearer_token_auth(options_.token);
  c.set_connection_timeout(options_.connect_timeout);
  c.set_read_timeout(options_.read_timeout);
  // The API wants a JSON body on every PUT and POST ("{}" when there is nothing to say).
  const std::string text = body.is_null() ? "{}" : body.dump();
  httplib::Result r = method == "GET"      ? c.Get(path)
                      : method == "PUT"    ? c.Put(path, text, "application/json")
                      : method == "DELETE" ? c.Delete(path)
                                           : c.Post(path, text, "application/json");
  if (!r) {
    const auto kind = r.error() == httplib::Error::Connection ? ControlError::Kind::kNotSent
                                                              : ControlError::Kind::kNoAnswer;
    const std::string what = httplib::to_string(r.error());
    return std::unexpected(ControlError{kind, 0, what, what});
  }
  json j = json::parse(r->body, nullptr, false);
  if (r->status / 100 != 2) {
    const bool api_error = j.is_object() && j.contains("error") && j["error"].is_string();
    return std::unexpected(ControlError{ControlError::Kind::kHttp, r->status, r->body,
                                        api_error ? j["error"].get<std::string>() : r->body});
  }
  if (j.is_discarded())
    return std::unexpected(
        ControlError{ControlError::Kind::kNotJson, r->status, r->body, "not JSON: " + r->body});
  return j;
}

}  // namespace dr::lab
