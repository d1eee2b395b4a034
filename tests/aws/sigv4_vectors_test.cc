// Every case of AWS's SigV4 test suite (aws-c-auth, tests/aws-signing-test-suite/v4), in both
// variants: header signing and presigned query signing. One gtest case per vector and variant,
// named after the vector's folder.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "aws/encoding.h"
#include "aws/sigv4.h"

namespace dr::aws {
namespace {

namespace fs = std::filesystem;
const fs::path kVectors = fs::path(DR_TEST_DATA_DIR) / "aws/data/sigv4/v4";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void parse_query(std::string_view q, std::vector<std::pair<std::string, std::string>>& out) {
  while (!q.empty()) {
    size_t amp = q.find('&');
    std::string_view part = q.substr(0, amp);
    size_t eq = part.find('=');
    std::string key = uri_decode(part.substr(0, eq));
    std::string value = eq == std::string_view::npos ? "" : uri_decode(part.substr(eq + 1));
    out.emplace_back(key, value);
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
}

// request.txt: "METHOD PATH HTTP/1.1", headers (a line starting with whitespace continues the
// previous header), a blank line, the body.
HttpRequest parse_request(const std::string& text) {
  HttpRequest r;
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);
  size_t sp = line.find(' ');
  size_t proto = line.rfind(" HTTP/");
  r.method = line.substr(0, sp);
  std::string target = line.substr(sp + 1, proto - sp - 1);
  size_t qm = target.find('?');
  r.path = target.substr(0, qm);
  if (qm != std::string::npos) parse_query(std::string_view(target).substr(qm + 1), r.query);
  while (std::getline(in, line) && !line.empty()) {
    if ((line[0] == ' ' || line[0] == '\t') && !r.headers.empty()) {
      r.headers.back().second += "\n" + line;
      continue;
    }
    size_t colon = line.find(':');
    r.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
  }
  std::string rest((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  r.body = rest;
  return r;
}

struct Vector {
  std::string name;
  HttpRequest request;
  Credentials creds;
  SigningConfig config;
};

Vector load(const std::string& name) {
  Vector v;
  v.name = name;
  auto ctx = nlohmann::json::parse(slurp(kVectors / name / "context.json"));
  v.request = parse_request(slurp(kVectors / name / "request.txt"));
  v.creds.access_key_id = ctx["credentials"]["access_key_id"];
  v.creds.secret_access_key = ctx["credentials"]["secret_access_key"];
  v.creds.session_token = ctx["credentials"].value("token", "");
  v.config.region = ctx["region"];
  v.config.service = ctx["service"];
  v.config.time = *parse_iso8601(ctx["timestamp"].get<std::string>());
  v.config.normalize_path = ctx.value("normalize", true);
  v.config.sign_body = ctx.value("sign_body", false);
  v.config.omit_session_token = ctx.value("omit_session_token", false);
  v.config.expires = std::chrono::seconds(ctx.value("expiration_in_seconds", 3600));
  return v;
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

// The first line of the expected signed request: "METHOD TARGET HTTP/1.1".
std::string expected_target(const std::string& signed_request) {
  std::string first = signed_request.substr(0, signed_request.find('\n'));
  size_t sp = first.find(' ');
  return first.substr(sp + 1, first.rfind(" HTTP/") - sp - 1);
}

std::string header_line(const std::string& signed_request, std::string_view name) {
  std::istringstream in(signed_request);
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() > name.size() && line[name.size()] == ':' &&
        iequals(line.substr(0, name.size()), name))
      return line.substr(name.size() + 1);
  }
  return {};
}

class HeaderVector : public testing::Test {
 public:
  explicit HeaderVector(std::string name) : name_(std::move(name)) {}
  void TestBody() override {
    Vector v = load(name_);
    Signature sig = sign_request(v.request, v.creds, v.config);
    auto dir = kVectors / name_;
    EXPECT_EQ(sig.canonical_request, trimmed(slurp(dir / "header-canonical-request.txt")));
    EXPECT_EQ(sig.string_to_sign, trimmed(slurp(dir / "header-string-to-sign.txt")));
    EXPECT_EQ(sig.signature, trimmed(slurp(dir / "header-signature.txt")));
    std::string expected = slurp(dir / "header-signed-request.txt");
    ASSERT_NE(v.request.header("Authorization"), nullptr);
    EXPECT_EQ(*v.request.header("Authorization"), header_line(expected, "Authorization"));
    EXPECT_EQ(*v.request.header("X-Amz-Date"), header_line(expected, "X-Amz-Date"));
    if (!v.creds.session_token.empty()) {
      ASSERT_NE(v.request.header("X-Amz-Security-Token"), nullptr);
      EXPECT_EQ(*v.request.header("X-Amz-Security-Token"),
                header_line(expected, "X-Amz-Security-Token"));
    }
  }

 private:
  std::string name_;
};

class QueryVector : public testing::Test {
 public:
  explicit QueryVector(std::string name) : name_(std::move(name)) {}
  void TestBody() override {
    Vector v = load(name_);
    Signature sig = presign_request(v.request, v.creds, v.config);
    auto dir = kVectors / name_;
    EXPECT_EQ(sig.canonical_request, trimmed(slurp(dir / "query-canonical-request.txt")));
    EXPECT_EQ(sig.string_to_sign, trimmed(slurp(dir / "query-string-to-sign.txt")));
    EXPECT_EQ(sig.signature, trimmed(slurp(dir / "query-signature.txt")));
    // The presigned request carries the same parameters (order on the wire is free).
    std::string target = expected_target(slurp(dir / "query-signed-request.txt"));
    std::vector<std::pair<std::string, std::string>> expected_query;
    size_t qm = target.find('?');
    ASSERT_NE(qm, std::string::npos);
    parse_query(std::string_view(target).substr(qm + 1), expected_query);
    auto actual = v.request.query;
    std::sort(actual.begin(), actual.end());
    std::sort(expected_query.begin(), expected_query.end());
    EXPECT_EQ(actual, expected_query);
  }

 private:
  std::string name_;
};

// Registers one case per folder, so the test output names every vector.
const bool registered = [] {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(kVectors)) {
    if (entry.is_directory()) names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  for (const auto& name : names) {
    testing::RegisterTest("SigV4HeaderVector", name.c_str(), nullptr, nullptr, __FILE__, __LINE__,
                          [=]() -> testing::Test* { return new HeaderVector(name); });
    testing::RegisterTest("SigV4QueryVector", name.c_str(), nullptr, nullptr, __FILE__, __LINE__,
                          [=]() -> testing::Test* { return new QueryVector(name); });
  }
  return true;
}();

TEST(SigV4Vectors, AllThirtyEightVectorsArePresent) {
  size_t n = 0;
  for (const auto& entry : fs::directory_iterator(kVectors)) n += entry.is_directory();
  EXPECT_EQ(n, 38u);
}

}  // namespace
}  // namespace dr::aws
