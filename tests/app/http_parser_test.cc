// dr-app's HTTP/1.1 request parser against well-formed and hostile bytes: every request a client
// can send is either served, waited for (incomplete, within the limits) or refused with a status.
#include "app/http_parser.h"

#include <gtest/gtest.h>

#include <string>

namespace dr::app {
namespace {

HttpLimits small_limits() {
  HttpLimits l;
  l.max_head_bytes = 256;
  l.max_headers = 4;
  l.max_body_bytes = 16;
  return l;
}

ParsedRequest complete(std::string_view bytes, const HttpLimits& limits = {}) {
  auto p = parse_request(bytes, limits);
  EXPECT_TRUE(p) << bytes << " -> " << (p ? "" : p.error().message);
  if (!p || !*p) return {};
  EXPECT_TRUE((*p)->complete) << bytes;
  return **p;
}

TEST(HttpParser, ReadsAGetWithQueryHeadersAndKeepAlive) {
  const std::string bytes =
      "GET /orders/42?consistent=true&x=a%20b+c HTTP/1.1\r\nHost: app\r\n"
      "X-Amzn-Trace-Id:  Root=1-2-3 \r\n\r\n";
  ParsedRequest p = complete(bytes);
  EXPECT_EQ(p.consumed, bytes.size());
  EXPECT_EQ(p.request.method, "GET");
  EXPECT_EQ(p.request.path, "/orders/42");
  EXPECT_EQ(p.request.param("consistent"), "true");
  EXPECT_EQ(p.request.param("x"), "a b c");
  EXPECT_EQ(p.request.param("missing"), "");
  EXPECT_EQ(p.request.header("host"), "app") << "names compare case-insensitively";
  EXPECT_EQ(p.request.header("X-AMZN-TRACE-ID"), "Root=1-2-3") << "values are trimmed";
  EXPECT_TRUE(p.request.keep_alive());
  EXPECT_TRUE(p.request.body.empty());
}

TEST(HttpParser, KeepAliveFollowsTheVersionAndTheConnectionHeader) {
  EXPECT_FALSE(complete("GET / HTTP/1.1\r\nConnection: Close\r\n\r\n").request.keep_alive());
  EXPECT_FALSE(complete("GET / HTTP/1.0\r\n\r\n").request.keep_alive());
  EXPECT_TRUE(complete("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").request.keep_alive());
  EXPECT_FALSE(
      complete("GET / HTTP/1.1\r\nConnection: keep-alive, close\r\n\r\n").request.keep_alive());
}

TEST(HttpParser, ABodyIsFramedByContentLengthAndTheRestIsTheNextRequest) {
  const std::string first = "POST /orders HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello";
  const std::string second = "GET /health HTTP/1.1\r\n\r\n";
  const std::string both = first + second;
  ParsedRequest p = complete(both);
  EXPECT_EQ(p.request.body, "hello");
  EXPECT_EQ(p.consumed, first.size());
  ParsedRequest q = complete(std::string_view(both).substr(p.consumed));
  EXPECT_EQ(q.request.path, "/health");
}

TEST(HttpParser, ARequestWithoutLengthHasNoBody) {
  // RFC 9112 6.3: neither Content-Length nor Transfer-Encoding means no body (`curl -X POST`).
  ParsedRequest p = complete("POST /orders HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_TRUE(p.request.body.empty());
}

TEST(HttpParser, EmptyLinesBeforeARequestAreSkipped) {
  ParsedRequest p = complete("\r\n\r\nGET /health HTTP/1.1\r\n\r\n");
  EXPECT_EQ(p.request.path, "/health");
  EXPECT_EQ(p.consumed, 4 + std::string("GET /health HTTP/1.1\r\n\r\n").size());
}

TEST(HttpParser, WaitsForTheRestOfAnIncompleteRequest) {
  const std::string bytes =
      "POST /orders HTTP/1.1\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\nhello";
  // Every proper prefix: nothing yet (the head is incomplete) or the head without the body.
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto p = parse_request(std::string_view(bytes).substr(0, n), {});
    ASSERT_TRUE(p) << n << ": " << p.error().message;
    if (*p) {
      EXPECT_FALSE((*p)->complete) << n;
      EXPECT_EQ((*p)->request.header("Expect"), "100-continue");
    }
  }
  EXPECT_TRUE(complete(bytes).complete);
}

TEST(HttpParser, DecodesThePathAndRefusesBadEscapes) {
  EXPECT_EQ(complete("GET /sessions/a%3Ab HTTP/1.1\r\n\r\n").request.path, "/sessions/a:b");
  for (const char* target : {"/a%", "/a%4", "/a%zz", "/a%00b"}) {
    auto p = parse_request(std::string("GET ") + target + " HTTP/1.1\r\n\r\n", {});
    ASSERT_FALSE(p) << target;
    EXPECT_EQ(p.error().status, 400) << target;
  }
}

struct Hostile {
  const char* name;
  std::string bytes;
  int status;
  const char* code;
};

class HttpParserRefuses : public testing::TestWithParam<Hostile> {};

TEST_P(HttpParserRefuses, WithTheRightStatus) {
  auto p = parse_request(GetParam().bytes, small_limits());
  ASSERT_FALSE(p) << GetParam().name << " was accepted";
  EXPECT_EQ(p.error().status, GetParam().status) << GetParam().name << ": " << p.error().message;
  EXPECT_EQ(p.error().code, GetParam().code) << GetParam().name;
  EXPECT_FALSE(p.error().message.empty());
}

INSTANTIATE_TEST_SUITE_P(
    HostileInput, HttpParserRefuses,
    testing::Values(
        Hostile{"bare LF line ends", "GET / HTTP/1.1\nHost: x\n\n", 400, "malformed_request"},
        Hostile{"bare LF before the head is whole", "GET / HTTP/1.1\nHo", 400, "malformed_request"},
        Hostile{"CR without LF", "GET / HTTP/1.1\rHost: x\r\n\r\n", 400, "malformed_request"},
        Hostile{"NUL in the head", std::string("GET / HTTP/1.1\r\nA: b") + '\0' + "c\r\n\r\n", 400,
                "malformed_request"},
        Hostile{"no CRLF at all, over the head limit", std::string(300, 'A'), 431,
                "head_too_large"},
        Hostile{"a huge header", "GET / HTTP/1.1\r\nX: " + std::string(300, 'a') + "\r\n\r\n", 431,
                "head_too_large"},
        Hostile{"a huge header, incomplete", "GET / HTTP/1.1\r\nX: " + std::string(300, 'a'), 431,
                "head_too_large"},
        Hostile{"too many headers",
                "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\n\r\n", 431,
                "head_too_large"},
        Hostile{"negative Content-Length", "POST /orders HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
                400, "malformed_request"},
        Hostile{"Content-Length with a sign", "POST / HTTP/1.1\r\nContent-Length: +5\r\n\r\n", 400,
                "malformed_request"},
        Hostile{"empty Content-Length", "POST / HTTP/1.1\r\nContent-Length:\r\n\r\n", 400,
                "malformed_request"},
        Hostile{"Content-Length overflowing 64 bits",
                "POST / HTTP/1.1\r\nContent-Length: 18446744073709551621\r\n\r\n", 413,
                "body_too_large"},
        Hostile{"Content-Length over the body limit",
                "POST / HTTP/1.1\r\nContent-Length: 17\r\n\r\n", 413, "body_too_large"},
        Hostile{"conflicting Content-Lengths",
                "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400,
                "malformed_request"},
        Hostile{"chunked", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 411,
                "length_required"},
        Hostile{"chunked and a length (smuggling)",
                "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 411,
                "length_required"},
        Hostile{"obsolete line folding", "GET / HTTP/1.1\r\nA: 1\r\n  2\r\n\r\n", 400,
                "malformed_request"},
        Hostile{"space before the colon", "GET / HTTP/1.1\r\nContent-Length : 5\r\n\r\n", 400,
                "malformed_request"},
        Hostile{"header without a colon", "GET / HTTP/1.1\r\nHost\r\n\r\n", 400,
                "malformed_request"},
        Hostile{"a control character in a value", "GET / HTTP/1.1\r\nA: b\x01\r\n\r\n", 400,
                "malformed_request"},
        Hostile{"absolute-form target", "GET http://x/ HTTP/1.1\r\n\r\n", 400, "malformed_request"},
        Hostile{"two spaces in the request line", "GET  / HTTP/1.1\r\n\r\n", 400,
                "malformed_request"},
        Hostile{"no version", "GET /\r\n\r\n", 400, "malformed_request"},
        Hostile{"HTTP/2 in the request line", "GET / HTTP/2.0\r\n\r\n", 505,
                "version_not_supported"},
        Hostile{"a method that is not a token", "G(T / HTTP/1.1\r\n\r\n", 400,
                "malformed_request"}),
    [](const testing::TestParamInfo<Hostile>& param_info) {
      std::string name;
      for (char c : std::string(param_info.param.name)) name += std::isalnum(c) ? c : '_';
      return name;
    });

TEST(HttpParser, AHeadJustWithinTheLimitIsAccepted) {
  const HttpLimits limits = small_limits();
  std::string head = "GET / HTTP/1.1\r\nX: ";
  head += std::string(limits.max_head_bytes - head.size() - 4, 'a') + "\r\n\r\n";
  ASSERT_EQ(head.size(), limits.max_head_bytes);
  EXPECT_TRUE(complete(head, limits).complete);
}

TEST(HttpParser, EveryByteStringIsAnsweredOrWaitedForNeverCrashes) {
  // A cheap fuzz: deterministic pseudo-random bytes from a request-like alphabet, at every
  // length. Under ASan (the sanitizer build) an out-of-bounds read fails here.
  const std::string alphabet = "GET /?=%0aF \r\n:HTTP/1.1Content-Length: 9\t\x01\x7f";
  uint32_t state = 12345;
  for (int round = 0; round < 20000; ++round) {
    std::string bytes;
    const size_t n = state % 80;
    for (size_t i = 0; i < n; ++i) {
      state = state * 1103515245u + 12345u;
      bytes += alphabet[(state >> 16) % alphabet.size()];
    }
    auto p = parse_request(bytes, small_limits());
    if (p && *p && (*p)->complete) {
      EXPECT_LE((*p)->consumed, bytes.size());
      EXPECT_LE((*p)->request.body.size(), small_limits().max_body_bytes);
    } else if (!p) {
      EXPECT_GE(p.error().status, 400) << bytes;
    }
  }
}

TEST(HttpResponse, SerializesStatusHeadersLengthAndConnection) {
  HttpResponse res = error_response(503, "overloaded", "busy");
  res.set_header("Retry-After", "1");
  const std::string bytes = serialize(res, 1, false, false);
  EXPECT_TRUE(bytes.starts_with("HTTP/1.1 503 Service Unavailable\r\n")) << bytes;
  EXPECT_NE(bytes.find("Content-Type: application/json\r\n"), std::string::npos);
  EXPECT_NE(bytes.find("Retry-After: 1\r\n"), std::string::npos);
  EXPECT_NE(bytes.find("Content-Length: " + std::to_string(res.body.size()) + "\r\n"),
            std::string::npos);
  EXPECT_NE(bytes.find("Connection: close\r\n"), std::string::npos);
  EXPECT_TRUE(bytes.ends_with("\r\n\r\n" + res.body));
  // HEAD: the length of the body it would have had, and no body.
  const std::string head = serialize(res, 1, true, true);
  EXPECT_TRUE(head.ends_with("\r\n\r\n")) << head;
  EXPECT_NE(head.find("Content-Length: " + std::to_string(res.body.size())), std::string::npos);
  EXPECT_EQ(head.find("Connection:"), std::string::npos) << "HTTP/1.1 keeps alive by default";
  EXPECT_NE(serialize(res, 0, false, true).find("Connection: keep-alive\r\n"), std::string::npos);
}

}  // namespace
}  // namespace dr::app
