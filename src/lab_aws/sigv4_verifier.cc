#include "lab_aws/sigv4_verifier.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "aws/encoding.h"
#include "aws/sigv4.h"

namespace dr::lab_aws {

namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

AwsError incomplete(const std::string& why) {
  return {400, "IncompleteSignature", why};
}

AwsError mismatch(const std::string& extra = "") {
  return {403, "SignatureDoesNotMatch",
          "The request signature we calculated does not match the signature you provided. Check "
          "your AWS Secret Access Key and signing method. Consult the service documentation for "
          "details." +
              extra};
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  for (;;) {
    const std::size_t next = s.find(sep, pos);
    out.push_back(s.substr(pos, next == std::string_view::npos ? s.npos : next - pos));
    if (next == std::string_view::npos) return out;
    pos = next + 1;
  }
}

// Names that go into our answers and logs: letters, digits and '-' only.
bool plain_name(std::string_view s) {
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isalnum(c) != 0 || c == '-';
  });
}

bool digits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

// 20261202T000000Z, exactly.
std::optional<aws::SystemTime> parse_amz_date(std::string_view s) {
  if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z' || !digits(s.substr(0, 8)) ||
      !digits(s.substr(9, 6)))
    return std::nullopt;
  const std::string iso = std::string(s.substr(0, 4)) + "-" + std::string(s.substr(4, 2)) + "-" +
                          std::string(s.substr(6, 2)) + "T" + std::string(s.substr(9, 2)) + ":" +
                          std::string(s.substr(11, 2)) + ":" + std::string(s.substr(13, 2)) + "Z";
  return aws::parse_iso8601(iso);
}

}  // namespace

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

std::expected<AuthorizationHeader, AwsError> parse_authorization(std::string_view header) {
  header = trim(header);
  if (!header.starts_with(kAlgorithm) || header.size() == kAlgorithm.size() ||
      header[kAlgorithm.size()] != ' ')
    return std::unexpected(incomplete("Authorization header must start with " +
                                      std::string(kAlgorithm) +
                                      " (the lab speaks "
                                      "Signature Version 4 only)"));
  std::string_view credential, signed_headers, signature;
  for (auto part : split(header.substr(kAlgorithm.size() + 1), ',')) {
    part = trim(part);
    const auto eq = part.find('=');
    if (eq == std::string_view::npos) continue;
    const auto key = part.substr(0, eq);
    const auto value = part.substr(eq + 1);
    if (key == "Credential")
      credential = value;
    else if (key == "SignedHeaders")
      signed_headers = value;
    else if (key == "Signature")
      signature = value;
  }
  for (auto [name, value] :
       {std::pair{"Credential", credential}, std::pair{"SignedHeaders", signed_headers},
        std::pair{"Signature", signature}}) {
    if (value.empty())
      return std::unexpected(
          incomplete(std::string("Authorization header requires '") + name + "' parameter."));
  }
  const auto scope = split(credential, '/');
  if (scope.size() != 5 || scope[4] != "aws4_request" || scope[1].size() != 8 ||
      !digits(scope[1]) || !plain_name(scope[0]) || !plain_name(scope[2]) || !plain_name(scope[3]))
    return std::unexpected(
        incomplete("Credential must have the form <access key id>/<yyyymmdd>/<region>/<service>/"
                   "aws4_request"));
  AuthorizationHeader out{std::string(scope[0]),
                          std::string(scope[1]),
                          std::string(scope[2]),
                          std::string(scope[3]),
                          {},
                          std::string(signature)};
  for (auto name : split(signed_headers, ';')) {
    std::string lower(name);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower.empty()) return std::unexpected(incomplete("SignedHeaders has an empty name"));
    out.signed_headers.push_back(std::move(lower));
  }
  return out;
}

std::expected<Caller, AwsError> verify_signature(const aws::HttpRequest& request,
                                                 const aws::Credentials& lab_keys,
                                                 aws::SystemTime now) {
  const std::string* authorization = request.header("Authorization");
  if (authorization == nullptr)
    return std::unexpected(AwsError{403, "MissingAuthenticationToken",
                                    "Request is missing Authentication Token (sign it with the "
                                    "lab's keys: `drctl lab env`)"});
  auto auth = parse_authorization(*authorization);
  if (!auth) return std::unexpected(auth.error());
  if (!constant_time_equal(auth->access_key_id, lab_keys.access_key_id))
    return std::unexpected(AwsError{403, "InvalidClientTokenId",
                                    "The security token included in the request is invalid."});
  const auto& names = auth->signed_headers;
  if (std::find(names.begin(), names.end(), "host") == names.end())
    return std::unexpected(incomplete("'Host' must be a 'SignedHeader' in the AWS Authorization."));
  const std::string* date_header = request.header("X-Amz-Date");
  if (date_header == nullptr)
    return std::unexpected(incomplete(
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."));
  const auto signed_at = parse_amz_date(*date_header);
  if (!signed_at)
    return std::unexpected(incomplete("X-Amz-Date must have the form yyyymmddThhmmssZ"));
  const auto skew = now > *signed_at ? now - *signed_at : *signed_at - now;
  if (skew > kMaxClockSkew)
    return std::unexpected(AwsError{400, "RequestExpired",
                                    "Request timestamp " + *date_header +
                                        " is more than 15 minutes from the server's time " +
                                        aws::amz_date(now) + "."});
  if (auth->date != aws::date_stamp(*signed_at))
    return std::unexpected(mismatch(" (the credential scope's date " + auth->date +
                                    " is not the request's date " + date_header->substr(0, 8) +
                                    ")"));

  // The request as the client signed it: only the headers it listed, each of which must be here.
  aws::HttpRequest copy;
  copy.method = request.method;
  copy.host = request.host;
  copy.path = request.path;
  copy.query = request.query;
  copy.body = request.body;
  for (const auto& name : names) {
    bool found = false;
    for (const auto& [k, v] : request.headers) {
      if (aws::iequals(k, name)) {
        copy.headers.emplace_back(k, v);
        found = true;
      }
    }
    if (!found) return std::unexpected(mismatch(" (signed header " + name + " is missing)"));
  }
  aws::Credentials keys{lab_keys.access_key_id, lab_keys.secret_access_key, {}, {}, {}};
  aws::SigningConfig config{.region = auth->region,
                            .service = auth->service,
                            .time = *signed_at,
                            .normalize_path = auth->service != "s3"};
  const aws::Signature expected = aws::sign_request(copy, keys, config);
  if (!constant_time_equal(expected.signature, auth->signature)) return std::unexpected(mismatch());
  return Caller{auth->access_key_id, auth->region, auth->service};
}

}  // namespace dr::lab_aws
