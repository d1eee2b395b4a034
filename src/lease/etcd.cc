#include "lease/etcd.h"

#include <charconv>

#include "aws/encoding.h"

namespace dr::lease {

namespace {

std::string b64(const std::string& bytes) {
  return aws::base64_encode(bytes);
}

Result<std::string> unb64(const nlohmann::json& field) {
  if (!field.is_string()) return fail(ErrorKind::kBadReply, "etcd: a key or value is not base64");
  auto bytes = aws::base64_decode(field.get<std::string>());
  if (!bytes) return fail(ErrorKind::kBadReply, "etcd: a key or value is not base64");
  return *bytes;
}

std::string first_line(const std::string& text) {
  auto end = text.find('\n');
  std::string line = text.substr(0, std::min<size_t>(end, 300));
  return line;
}

}  // namespace

std::optional<int64_t> json_int64(const nlohmann::json& value) {
  if (value.is_number_integer()) return value.get<int64_t>();
  if (!value.is_string()) return std::nullopt;
  const auto& s = value.get_ref<const std::string&>();
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

Etcd::Etcd(EtcdOptions options)
    : options_(std::move(options)),
      http_(aws::make_curl_transport({.connect_timeout = options_.timeout,
                                      .request_timeout = options_.timeout,
                                      .max_response_bytes = 1024 * 1024,
                                      .local_address = options_.local_address})) {}

Result<nlohmann::json> Etcd::call(const std::string& path, const nlohmann::json& body,
                                  bool retry_when_sent) {
  if (options_.endpoints.empty()) return fail(ErrorKind::kUnavailable, "etcd: no endpoints");
  std::string why;
  const size_t n = options_.endpoints.size();
  const size_t first = preferred_.load() % n;
  for (size_t i = 0; i < n; ++i) {
    const size_t at = (first + i) % n;
    aws::HttpRequest request;
    request.method = "POST";
    request.scheme = "http";
    request.host = options_.endpoints[at];
    request.path = path;
    request.body = body.dump();
    request.set_header("Content-Type", "application/json");
    auto response = http_->send(request);
    if (!response) {
      why += (why.empty() ? "" : "; ") + options_.endpoints[at] + ": " + response.error().message;
      if (response.error().kind == aws::ErrorKind::kOutcomeUnknown && !retry_when_sent)
        return fail(ErrorKind::kUnavailable, "etcd " + path + ": " + why + " (outcome unknown)");
      continue;
    }
    auto reply = nlohmann::json::parse(response->body, nullptr, false);
    if (response->status == 200 && reply.is_object()) {
      preferred_.store(at);
      return reply;
    }
    // A member without a leader or quorum says so with a gRPC status (14 unavailable, 4 deadline
    // exceeded): ask the next. Anything else is an answer we cannot use.
    std::string message = reply.is_object() ? reply.value("message", reply.value("error", ""))
                                            : first_line(response->body);
    why += (why.empty() ? "" : "; ") + options_.endpoints[at] + ": HTTP " +
           std::to_string(response->status) + " " + message;
    const int code = reply.is_object() ? reply.value("code", 0) : 0;
    if (response->status >= 500 || code == 14 || code == 4) {
      if (!retry_when_sent)
        return fail(ErrorKind::kUnavailable, "etcd " + path + ": " + why + " (outcome unknown)");
      continue;
    }
    return fail(ErrorKind::kBadReply, "etcd " + path + ": " + why);
  }
  return fail(ErrorKind::kUnavailable, "etcd " + path + ": no member answered (" + why + ")");
}

Result<int64_t> Etcd::grant(std::chrono::seconds ttl) {
  auto reply = call("/v3/lease/grant", {{"TTL", ttl.count()}}, /*retry_when_sent=*/true);
  if (!reply) return std::unexpected(reply.error());
  auto id = json_int64(reply->value("ID", nlohmann::json()));
  if (!id || *id == 0)
    return fail(ErrorKind::kBadReply, "etcd lease grant: no ID in " + reply->dump());
  return *id;
}

Result<int64_t> Etcd::keep_alive(int64_t lease) {
  auto reply =
      call("/v3/lease/keepalive", {{"ID", std::to_string(lease)}}, /*retry_when_sent=*/true);
  if (!reply) return std::unexpected(reply.error());
  // {"result": {"ID": ..., "TTL": "2"}}; an expired lease has no TTL (0).
  const auto result = reply->value("result", nlohmann::json::object());
  if (!result.is_object())
    return fail(ErrorKind::kBadReply, "etcd lease keepalive: " + reply->dump());
  auto ttl = json_int64(result.value("TTL", nlohmann::json("0")));
  if (!ttl) return fail(ErrorKind::kBadReply, "etcd lease keepalive: " + reply->dump());
  return std::max<int64_t>(*ttl, 0);
}

Result<void> Etcd::revoke(int64_t lease) {
  auto reply = call("/v3/lease/revoke", {{"ID", std::to_string(lease)}}, /*retry_when_sent=*/true);
  if (!reply) {
    // Revoking a lease that is gone already is done.
    if (reply.error().message.find("requested lease not found") != std::string::npos) return {};
    return std::unexpected(reply.error());
  }
  return {};
}

Result<std::optional<KeyValue>> Etcd::get(const std::string& key) {
  auto reply = call("/v3/kv/range", {{"key", b64(key)}}, /*retry_when_sent=*/true);
  if (!reply) return std::unexpected(reply.error());
  auto kvs = reply->find("kvs");
  if (kvs == reply->end() || !kvs->is_array() || kvs->empty()) return std::optional<KeyValue>();
  const auto& kv = (*kvs)[0];
  if (!kv.is_object()) return fail(ErrorKind::kBadReply, "etcd range: " + reply->dump());
  KeyValue out;
  auto k = unb64(kv.value("key", nlohmann::json()));
  if (!k) return std::unexpected(k.error());
  out.key = *k;
  auto v = unb64(kv.value("value", nlohmann::json("")));
  if (!v) return std::unexpected(v.error());
  out.value = *v;
  out.create_revision = json_int64(kv.value("create_revision", nlohmann::json("0"))).value_or(0);
  out.mod_revision = json_int64(kv.value("mod_revision", nlohmann::json("0"))).value_or(0);
  out.lease = json_int64(kv.value("lease", nlohmann::json("0"))).value_or(0);
  return std::optional<KeyValue>(std::move(out));
}

Result<bool> Etcd::txn(const std::vector<Compare>& compares, const std::vector<Put>& puts) {
  nlohmann::json body = {{"compare", nlohmann::json::array()},
                         {"success", nlohmann::json::array()}};
  for (const auto& c : compares) {
    nlohmann::json j = {{"key", b64(c.key)}, {"result", "EQUAL"}};
    switch (c.target) {
      case Compare::Target::kValue:
        j["target"] = "VALUE";
        j["value"] = b64(c.value);
        break;
      case Compare::Target::kCreateRevision:
        j["target"] = "CREATE";
        j["create_revision"] = std::to_string(c.revision);
        break;
      case Compare::Target::kModRevision:
        j["target"] = "MOD";
        j["mod_revision"] = std::to_string(c.revision);
        break;
    }
    body["compare"].push_back(std::move(j));
  }
  for (const auto& p : puts) {
    nlohmann::json put = {{"key", b64(p.key)}, {"value", b64(p.value)}};
    if (p.lease != 0) put["lease"] = std::to_string(p.lease);
    body["success"].push_back({{"request_put", std::move(put)}});
  }
  auto reply = call("/v3/kv/txn", body, /*retry_when_sent=*/false);
  if (!reply) return std::unexpected(reply.error());
  return reply->value("succeeded", false);
}

}  // namespace dr::lease
