#include "lab_aws/rpc_bridge.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>

#include "aws/encoding.h"
#include "lab_aws/cbor.h"
#include "lab_aws/form.h"

namespace dr::lab_aws {

namespace {

using nlohmann::json;

void leaf(std::string& out, const std::string& name, const std::string& value,
          const BridgeTypes& types) {
  const auto it = types.find(name);  // a list's <member> takes the list's hint
  if (it == types.end()) return cbor::text(out, value);
  try {
    switch (it->second) {
      case BridgeType::kInteger:
        return cbor::integer(out, std::stoll(value));
      case BridgeType::kDouble:
        return cbor::dbl(out, std::stod(value));
      case BridgeType::kBoolean:
        out += static_cast<char>(value == "true" ? 0xf5 : 0xf4);
        return;
      case BridgeType::kTimestamp: {
        auto t = aws::parse_iso8601(value);
        if (!t) break;
        cbor::head(out, 6, 1);  // tag 1: epoch seconds
        cbor::dbl(out, std::chrono::duration<double>(t->time_since_epoch()).count());
        return;
      }
    }
  } catch (const std::exception&) {
  }
  cbor::text(out, value);  // not what the hint says: the text itself, never a made-up value
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
    cbor::head(out, 4, kids.size());
    for (auto k : kids) element(out, k, types);
    return;
  }
  cbor::head(out, 5, kids.size());
  for (auto k : kids) {
    cbor::text(out, k.name());
    element(out, k, types);
  }
}

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
  cbor::head(body, 5, 2);
  cbor::text(body, "__type");
  cbor::text(body, e.code);
  cbor::text(body, "message");
  cbor::text(body, e.message);
  return {e.status, "application/cbor", body};
}

// The query action `action` on `input` (already decoded): its XML answer, read back.
struct Bridged {
  std::optional<AwsError> error;
  pugi::xml_document doc;
  pugi::xml_node result;  // null for an action without output
};

void run_bridged(Bridged& out, const QueryService& service, const RpcBridge& bridge,
                 const std::string& action, const nlohmann::json& input, const Caller& caller,
                 const std::string& request_id) {
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

}  // namespace

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
    auto decoded = cbor::decode(body);
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
    auto decoded = cbor::decode(request.body);
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
    cbor::head(body, 5, 0);  // an operation without output: an empty map
  return {200, "application/cbor", body};
}

}  // namespace dr::lab_aws
