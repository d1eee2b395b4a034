#include "lab_aws/rpc_bridge.h"

#include <nlohmann/json.hpp>

#include <bit>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdio>

#include "aws/encoding.h"
#include "lab_aws/form.h"

namespace dr::lab_aws {

namespace {

using nlohmann::json;

// ---- CBOR writing (RFC 8949): the few items an answer needs --------------------------------

void head(std::string& out, int major, std::uint64_t n) {
  const auto m = static_cast<char>(major << 5);
  if (n < 24) {
    out += static_cast<char>(m | static_cast<char>(n));
    return;
  }
  int bytes = n <= 0xff ? 1 : n <= 0xffff ? 2 : n <= 0xffffffffULL ? 4 : 8;
  out += static_cast<char>(m | (bytes == 1 ? 24 : bytes == 2 ? 25 : bytes == 4 ? 26 : 27));
  for (int i = bytes - 1; i >= 0; --i) out += static_cast<char>((n >> (8 * i)) & 0xff);
}

void text(std::string& out, std::string_view s) {
  head(out, 3, s.size());
  out += s;
}

void dbl(std::string& out, double v) {
  out += static_cast<char>(0xfb);
  const auto bits = std::bit_cast<std::uint64_t>(v);
  for (int i = 7; i >= 0; --i) out += static_cast<char>((bits >> (8 * i)) & 0xff);
}

void integer(std::string& out, long long v) {
  if (v >= 0)
    head(out, 0, static_cast<std::uint64_t>(v));
  else
    head(out, 1, static_cast<std::uint64_t>(-(v + 1)));
}

void leaf(std::string& out, const std::string& name, const std::string& value,
          const BridgeTypes& types) {
  const auto it = types.find(name);  // a list's <member> takes the list's hint
  if (it == types.end()) return text(out, value);
  try {
    switch (it->second) {
      case BridgeType::kInteger:
        return integer(out, std::stoll(value));
      case BridgeType::kDouble:
        return dbl(out, std::stod(value));
      case BridgeType::kBoolean:
        out += static_cast<char>(value == "true" ? 0xf5 : 0xf4);
        return;
      case BridgeType::kTimestamp: {
        auto t = aws::parse_iso8601(value);
        if (!t) break;
        head(out, 6, 1);  // tag 1: epoch seconds
        dbl(out, std::chrono::duration<double>(t->time_since_epoch()).count());
        return;
      }
    }
  } catch (const std::exception&) {
  }
  text(out, value);  // not what the hint says: the text itself, never a made-up value
}

void element(std::string& out, pugi::xml_node e, const BridgeTypes& types) {
  std::vector<pugi::xml_node> kids;
  for (auto c : e.children())
    if (c.type() == pugi::node_element) kids.push_back(c);
  const bool has_text = !std::string(e.child_value()).empty();
  if (kids.empty() && has_text)
    return leaf(out, std::string(e.name()) == "member" ? e.parent().name() : e.name(),
                e.child_value(), types);
  const bool list = kids.empty() || std::string(kids.front().name()) == "member";
  if (list) {
    head(out, 4, kids.size());
    for (auto k : kids) element(out, k, types);
    return;
  }
  head(out, 5, kids.size());
  for (auto k : kids) {
    text(out, k.name());
    element(out, k, types);
  }
}

// ---- CBOR reading: what botocore writes (definite lengths; tag 1 timestamps) ---------------
// nlohmann's reader refuses tags 0-5 even when told to ignore tags, and botocore tags every
// timestamp 1: this small reader keeps the tagged value and refuses what it does not know.

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  std::expected<json, std::string> item(int depth = 0) {
    if (depth > 32) return std::unexpected("nested too deep");
    if (pos_ >= in_.size()) return std::unexpected("truncated");
    const auto first = static_cast<unsigned char>(in_[pos_++]);
    const int major = first >> 5;
    const int info = first & 0x1f;
    if (major == 7) return simple(info);
    auto n = argument(info);
    if (!n) return std::unexpected(n.error());
    switch (major) {
      case 0:
        return json(*n);
      case 1:
        if (*n > static_cast<std::uint64_t>(INT64_MAX)) return std::unexpected("integer range");
        return json(-1 - static_cast<std::int64_t>(*n));
      case 2:
      case 3: {
        if (*n > in_.size() - pos_) return std::unexpected("truncated string");
        std::string s(in_.substr(pos_, *n));
        pos_ += *n;
        if (major == 3 && !valid_utf8(s)) return std::unexpected("text is not UTF-8");
        return json(std::move(s));
      }
      case 4: {
        if (*n > in_.size() - pos_) return std::unexpected("truncated array");
        json a = json::array();
        for (std::uint64_t i = 0; i < *n; ++i) {
          auto v = item(depth + 1);
          if (!v) return v;
          a.push_back(std::move(*v));
        }
        return a;
      }
      case 5: {
        if (*n > in_.size() - pos_) return std::unexpected("truncated map");
        json m = json::object();
        for (std::uint64_t i = 0; i < *n; ++i) {
          auto k = item(depth + 1);
          if (!k) return k;
          if (!k->is_string()) return std::unexpected("a map key that is not text");
          auto v = item(depth + 1);
          if (!v) return v;
          m[k->get<std::string>()] = std::move(*v);
        }
        return m;
      }
      default:  // 6: a tag (1: epoch seconds); the value is what the input means
        return item(depth + 1);
    }
  }
  bool done() const { return pos_ == in_.size(); }

 private:
  std::expected<std::uint64_t, std::string> argument(int info) {
    if (info < 24) return static_cast<std::uint64_t>(info);
    if (info > 27) return std::unexpected("indefinite or reserved length");
    const std::size_t bytes = std::size_t{1} << (info - 24);
    if (bytes > in_.size() - pos_) return std::unexpected("truncated");
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(in_[pos_++]);
    return v;
  }
  std::expected<json, std::string> simple(int info) {
    switch (info) {
      case 20:
        return json(false);
      case 21:
        return json(true);
      case 22:
      case 23:
        return json(nullptr);
      case 25: {  // half float
        auto h = argument(25);
        if (!h) return std::unexpected(h.error());
        const int e = static_cast<int>((*h >> 10) & 0x1f);
        const double m = static_cast<double>(*h & 0x3ff);
        double v = e == 0    ? std::ldexp(m, -24)
                   : e == 31 ? (m == 0 ? INFINITY : NAN)
                             : std::ldexp(m + 1024, e - 25);
        return json((*h & 0x8000) ? -v : v);
      }
      case 26: {
        auto f = argument(26);
        if (!f) return std::unexpected(f.error());
        return json(static_cast<double>(std::bit_cast<float>(static_cast<std::uint32_t>(*f))));
      }
      case 27: {
        auto d = argument(27);
        if (!d) return std::unexpected(d.error());
        return json(std::bit_cast<double>(*d));
      }
      default:
        return std::unexpected("an unknown simple value");
    }
  }
  std::string_view in_;
  std::size_t pos_ = 0;
};

// ---- CBOR input to query parameters --------------------------------------------------------

std::string number_text(const json& v) {
  if (v.is_number_integer()) return std::to_string(v.get<long long>());
  if (v.is_number_unsigned()) return std::to_string(v.get<unsigned long long>());
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v.get<double>());
  return buf;
}

std::expected<void, AwsError> flatten(const json& v, const std::string& name,
                                      const BridgeTypes& types, const std::string& leaf_name,
                                      std::vector<std::pair<std::string, std::string>>& out,
                                      int depth) {
  if (depth > 16) return std::unexpected(AwsError{400, "SerializationException", "too deep"});
  if (v.is_object()) {
    for (const auto& [k, item] : v.items())
      if (auto r = flatten(item, name.empty() ? k : name + "." + k, types, k, out, depth + 1); !r)
        return r;
  } else if (v.is_array()) {
    if (v.empty()) out.emplace_back(name, "");
    for (std::size_t i = 0; i < v.size(); ++i)
      if (auto r = flatten(v[i], name + ".member." + std::to_string(i + 1), types, leaf_name, out,
                           depth + 1);
          !r)
        return r;
  } else if (v.is_string()) {
    out.emplace_back(name, v.get<std::string>());
  } else if (v.is_boolean()) {
    out.emplace_back(name, v.get<bool>() ? "true" : "false");
  } else if (v.is_number()) {
    const auto it = types.find(leaf_name);
    if (it != types.end() && it->second == BridgeType::kTimestamp) {
      const double secs = v.get<double>();
      if (!std::isfinite(secs) || std::fabs(secs) > 1e11)
        return std::unexpected(invalid_parameter_value("The value for " + name + " is invalid."));
      out.emplace_back(
          name, aws::iso8601(aws::SystemTime(std::chrono::duration_cast<aws::SystemTime::duration>(
                    std::chrono::duration<double>(secs)))));
    } else {
      out.emplace_back(name, number_text(v));
    }
  } else if (!v.is_null()) {
    return std::unexpected(
        AwsError{400, "SerializationException", "The lab does not read " + name + "'s type"});
  }
  return {};
}

json json_leaf(const std::string& name, const std::string& value, const BridgeTypes& types) {
  const auto it = types.find(name);
  if (it == types.end()) return value;
  try {
    switch (it->second) {
      case BridgeType::kInteger:
        return std::stoll(value);
      case BridgeType::kDouble:
        return std::stod(value);
      case BridgeType::kBoolean:
        return value == "true";
      case BridgeType::kTimestamp:
        if (auto t = aws::parse_iso8601(value))
          return std::chrono::duration<double>(t->time_since_epoch()).count();
        break;
    }
  } catch (const std::exception&) {
  }
  return value;
}

json xml_to_json(pugi::xml_node e, const BridgeTypes& types) {
  std::vector<pugi::xml_node> kids;
  for (auto c : e.children())
    if (c.type() == pugi::node_element) kids.push_back(c);
  if (kids.empty() && !std::string(e.child_value()).empty())
    return json_leaf(std::string(e.name()) == "member" ? e.parent().name() : e.name(),
                     e.child_value(), types);
  if (kids.empty() || std::string(kids.front().name()) == "member") {
    json a = json::array();
    for (auto k : kids) a.push_back(xml_to_json(k, types));
    return a;
  }
  json m = json::object();
  for (auto k : kids) m[k.name()] = xml_to_json(k, types);
  return m;
}

WireResponse cbor_error(const AwsError& e) {
  std::string body;
  head(body, 5, 2);
  text(body, "__type");
  text(body, e.code);
  text(body, "message");
  text(body, e.message);
  return {e.status, "application/cbor", body};
}

}  // namespace

std::expected<nlohmann::json, std::string> decode_cbor(std::string_view bytes) {
  Reader r(bytes);
  auto v = r.item();
  if (v && !r.done()) return std::unexpected("bytes after the item");
  return v;
}

// The query action `action` on `input` (already decoded): its XML answer, read back.
struct Bridged {
  std::optional<AwsError> error;
  pugi::xml_document doc;
  pugi::xml_node result;  // null for an action without output
};

static void run_bridged(Bridged& out, const QueryService& service, const RpcBridge& bridge,
                        const std::string& action, const nlohmann::json& input,
                        const Caller& caller, const std::string& request_id) {
  std::vector<std::pair<std::string, std::string>> pairs = {{"Action", action}};
  if (!input.is_object()) {
    out.error = AwsError{400, "SerializationException", "The request body must be an object"};
    return;
  }
  if (auto r = flatten(input, "", bridge.types, "", pairs, 0); !r) {
    out.error = r.error();
    return;
  }
  auto params = FormParams::from_pairs(pairs);
  if (!params) {
    out.error = params.error();
    return;
  }
  const WireResponse xml = answer_query(service, *params, caller, request_id);
  if (!out.doc.load_buffer(xml.body.data(), xml.body.size())) {
    out.error = internal_failure("the lab's answer did not read back");
    return;
  }
  if (xml.status != 200) {
    const auto e = out.doc.child("ErrorResponse").child("Error");
    out.error = AwsError{xml.status, e.child_value("Code"), e.child_value("Message")};
    return;
  }
  out.result = out.doc.first_child().child((action + "Result").c_str());
}

bool is_json_bridge(const aws::HttpRequest& request, const RpcBridge& bridge) {
  const std::string* target = request.header("X-Amz-Target");
  return target != nullptr && target->starts_with(bridge.service_name + ".");
}

WireResponse answer_json_bridge(const QueryService& service, const RpcBridge& bridge,
                                const aws::HttpRequest& request, const Caller& caller,
                                const std::string& request_id) {
  const std::string action = request.header("X-Amz-Target")->substr(bridge.service_name.size() + 1);
  const auto input =
      nlohmann::json::parse(request.body.empty() ? "{}" : request.body, nullptr, false);
  Bridged out;
  if (input.is_discarded())
    out.error = AwsError{400, "SerializationException", "The request body must be JSON"};
  else
    run_bridged(out, service, bridge, action, input, caller, request_id);
  if (out.error) return render_error(*out.error, Protocol::kJson, request_id);
  const json body = out.result ? xml_to_json(out.result, bridge.types) : json::object();
  return {200, "application/x-amz-json-1.0", body.dump()};
}

bool is_rpc_v2_cbor(const aws::HttpRequest& request) {
  const std::string* p = request.header("smithy-protocol");
  return p != nullptr && *p == "rpc-v2-cbor";
}

std::expected<FormParams, AwsError> cbor_to_form(std::string_view body, const std::string& action,
                                                 const BridgeTypes& types) {
  json input = json::object();
  if (!body.empty()) {
    auto decoded = decode_cbor(body);
    if (!decoded || !decoded->is_object())
      return std::unexpected(AwsError{400, "SerializationException",
                                      "The request body must be a CBOR map" +
                                          (decoded ? std::string() : ": " + decoded.error())});
    input = std::move(*decoded);
  }
  std::vector<std::pair<std::string, std::string>> pairs = {{"Action", action}};
  if (auto r = flatten(input, "", types, "", pairs, 0); !r) return std::unexpected(r.error());
  return FormParams::from_pairs(pairs);
}

std::string xml_to_cbor(pugi::xml_node e, const BridgeTypes& types) {
  std::string out;
  element(out, e, types);
  return out;
}

WireResponse answer_cbor(const QueryService& service, const RpcBridge& cbor,
                         const aws::HttpRequest& request, const Caller& caller,
                         const std::string& request_id) {
  const std::string prefix = "/service/" + cbor.service_name + "/operation/";
  if (request.method != "POST" || !request.path.starts_with(prefix))
    return cbor_error({400, "UnknownOperationException",
                       "An RPC v2 CBOR request is POST " + prefix + "<Operation>"});
  const std::string action = request.path.substr(prefix.size());
  Bridged out;
  json input = json::object();
  if (!request.body.empty()) {
    auto decoded = decode_cbor(request.body);
    if (!decoded)
      out.error = AwsError{400, "SerializationException",
                           "The request body must be a CBOR map: " + decoded.error()};
    else
      input = std::move(*decoded);
  }
  if (!out.error) run_bridged(out, service, cbor, action, input, caller, request_id);
  if (out.error) return cbor_error(*out.error);
  std::string body;
  if (out.result)
    body = xml_to_cbor(out.result, cbor.types);
  else
    head(body, 5, 0);  // an operation without output: an empty map
  return {200, "application/cbor", body};
}

}  // namespace dr::lab_aws
