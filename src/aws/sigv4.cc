#include "aws/sigv4.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>

#include "aws/encoding.h"

namespace dr::aws {

namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

// Headers that proxies and clients add or rewrite in flight; signing them breaks the signature.
constexpr std::array<std::string_view, 6> kUnsignedHeaders = {
    "authorization", "user-agent", "expect", "x-amzn-trace-id", "transfer-encoding", "connection"};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Trims and collapses runs of whitespace (including the line breaks of folded headers).
std::string canonical_header_value(std::string_view v) {
  std::string out;
  bool pending_space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += c;
  }
  return out;
}

struct CanonicalHeaders {
  std::string block;  // "name:value\n" lines
  std::string signed_names;
};

CanonicalHeaders canonical_headers(const Headers& headers) {
  std::map<std::string, std::string> merged;  // sorted by lower-case name
  for (const auto& [name, value] : headers) {
    std::string key = lower(name);
    if (std::find(kUnsignedHeaders.begin(), kUnsignedHeaders.end(), key) != kUnsignedHeaders.end())
      continue;
    auto [it, inserted] = merged.try_emplace(key, canonical_header_value(value));
    if (!inserted) {
      it->second += ',';
      it->second += canonical_header_value(value);
    }
  }
  CanonicalHeaders out;
  for (const auto& [name, value] : merged) {
    out.block += name + ":" + value + "\n";
    if (!out.signed_names.empty()) out.signed_names += ';';
    out.signed_names += name;
  }
  return out;
}

std::string credential_scope(const SigningConfig& c) {
  return date_stamp(c.time) + "/" + c.region + "/" + c.service + "/aws4_request";
}

std::string signing_key(const Credentials& creds, const SigningConfig& c) {
  std::string k = hmac_sha256("AWS4" + creds.secret_access_key, date_stamp(c.time));
  k = hmac_sha256(k, c.region);
  k = hmac_sha256(k, c.service);
  return hmac_sha256(k, "aws4_request");
}

Signature finish(const HttpRequest& request, const SigningConfig& config, const Credentials& creds,
                 std::string_view payload_hash) {
  Signature sig;
  auto headers = canonical_headers(request.headers);
  sig.signed_headers = headers.signed_names;
  sig.canonical_request = request.method + "\n" +
                          canonical_path(request.path, config.normalize_path) + "\n" +
                          canonical_query(request.query) + "\n" + headers.block + "\n" +
                          headers.signed_names + "\n" + std::string(payload_hash);
  sig.string_to_sign = std::string(kAlgorithm) + "\n" + amz_date(config.time) + "\n" +
                       credential_scope(config) + "\n" + sha256_hex(sig.canonical_request);
  sig.signature = hex(hmac_sha256(signing_key(creds, config), sig.string_to_sign));
  return sig;
}

}  // namespace

std::string canonical_path(std::string_view path, bool normalize) {
  if (path.empty()) return "/";
  if (!normalize) return uri_encode(path, false);
  // RFC 3986 dot-segment removal, plus collapsing empty segments ("//").
  std::vector<std::string_view> out;
  size_t pos = 0;
  bool trailing_slash = path.back() == '/';
  while (pos <= path.size()) {
    size_t next = path.find('/', pos);
    if (next == std::string_view::npos) next = path.size();
    std::string_view seg = path.substr(pos, next - pos);
    if (seg == "..") {
      if (!out.empty()) out.pop_back();
    } else if (!seg.empty() && seg != ".") {
      out.push_back(seg);
    }
    pos = next + 1;
  }
  // A path ending in "/." or "/.." names a directory: keep the trailing slash.
  if (path.ends_with("/.") || path.ends_with("/..")) trailing_slash = !out.empty();
  std::string joined = "/";
  for (size_t i = 0; i < out.size(); ++i) {
    if (i) joined += '/';
    joined += out[i];
  }
  if (trailing_slash && !out.empty()) joined += '/';
  return uri_encode(joined, false);
}

std::string canonical_query(const std::vector<std::pair<std::string, std::string>>& query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (const auto& [k, v] : query) encoded.emplace_back(uri_encode(k, true), uri_encode(v, true));
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [k, v] : encoded) {
    if (!out.empty()) out += '&';
    out += k + "=" + v;
  }
  return out;
}

Signature sign_request(HttpRequest& request, const Credentials& creds,
                       const SigningConfig& config) {
  request.set_header("X-Amz-Date", amz_date(config.time));
  std::string payload_hash = sha256_hex(request.body);
  if (config.sign_body) request.set_header("x-amz-content-sha256", payload_hash);
  const bool has_token = !creds.session_token.empty();
  if (has_token && !config.omit_session_token)
    request.set_header("X-Amz-Security-Token", creds.session_token);
  Signature sig = finish(request, config, creds, payload_hash);
  if (has_token && config.omit_session_token)
    request.set_header("X-Amz-Security-Token", creds.session_token);
  request.set_header("Authorization",
                     std::string(kAlgorithm) + " Credential=" + creds.access_key_id + "/" +
                         credential_scope(config) + ", SignedHeaders=" + sig.signed_headers +
                         ", Signature=" + sig.signature);
  return sig;
}

Signature presign_request(HttpRequest& request, const Credentials& creds,
                          const SigningConfig& config) {
  auto headers = canonical_headers(request.headers);
  auto& q = request.query;
  q.emplace_back("X-Amz-Algorithm", std::string(kAlgorithm));
  q.emplace_back("X-Amz-Credential", creds.access_key_id + "/" + credential_scope(config));
  q.emplace_back("X-Amz-Date", amz_date(config.time));
  q.emplace_back("X-Amz-SignedHeaders", headers.signed_names);
  q.emplace_back("X-Amz-Expires", std::to_string(config.expires.count()));
  const bool has_token = !creds.session_token.empty();
  if (has_token && !config.omit_session_token)
    q.emplace_back("X-Amz-Security-Token", creds.session_token);
  Signature sig = finish(request, config, creds, sha256_hex(request.body));
  if (has_token && config.omit_session_token)
    q.emplace_back("X-Amz-Security-Token", creds.session_token);
  q.emplace_back("X-Amz-Signature", sig.signature);
  return sig;
}

}  // namespace dr::aws
