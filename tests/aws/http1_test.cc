// The socket transport's HTTP/1.1 framing (aws/http1.h) on fixed bytes: what a request head
// carries, and how a response ends (and whether its connection may carry the next request).
#include <gtest/gtest.h>

#include <algorithm>

#include "aws/http1.h"

namespace dr::aws::http1 {
namespace {

// Serves `bytes` in reads of at most `step` bytes, then EOF.
struct Bytes {
  std::string bytes;
  size_t step = 3;
  size_t pos = 0;
  IoResult operator()(char* buf, size_t size) {
    if (pos == bytes.size()) return {IoStatus::kEof, 0, {}};
    size_t n = std::min({size, step, bytes.size() - pos});
    bytes.copy(buf, n, pos);
    pos += n;
    return {IoStatus::kOk, n, {}};
  }
};

std::expected<Response, ReadFailure> parse(std::string bytes, size_t max_body = 1 << 20,
                                           bool head = false, size_t step = 3) {
  Bytes source{std::move(bytes), step};
  std::function<IoResult(char*, size_t)> read = std::ref(source);
  return read_response(read, head, max_body);
}

HttpRequest request(std::string method) {
  HttpRequest r;
  r.method = std::move(method);
  r.scheme = "https";
  r.host = "dynamodb.eu-west-1.amazonaws.com";
  r.path = "/a%20b";
  r.query = {{"x", "1 2"}};
  return r;
}

TEST(Http1, RequestHeadCarriesTheTargetHostHeadersAndALengthForABody) {
  HttpRequest post = request("POST");
  post.set_header("X-Amz-Target", "DynamoDB_20120810.GetItem");
  post.set_header("X-Empty", "");
  post.body = "{}";
  EXPECT_EQ(request_head(post).value(),
            "POST /a%20b?x=1%202 HTTP/1.1\r\nHost: dynamodb.eu-west-1.amazonaws.com\r\n"
            "X-Amz-Target: DynamoDB_20120810.GetItem\r\nX-Empty:\r\nContent-Length: 2\r\n\r\n");
  // A GET has no length; an empty PUT (the IMDS token request) says 0. A Host given is kept.
  HttpRequest get = request("GET");
  get.set_header("Host", "other:8000");
  EXPECT_EQ(request_head(get).value(), "GET /a%20b?x=1%202 HTTP/1.1\r\nHost: other:8000\r\n\r\n");
  EXPECT_NE(request_head(request("PUT")).value().find("Content-Length: 0\r\n"), std::string::npos);
}

TEST(Http1, RequestHeadRefusesWhatWouldBreakItsFraming) {
  HttpRequest r = request("GET");
  r.set_header("X-A", "v\r\nX-Injected: 1");
  EXPECT_FALSE(request_head(r));
  r = request("GET");
  r.headers.emplace_back("Bad Name", "v");
  EXPECT_FALSE(request_head(r));
  EXPECT_FALSE(request_head(request("GET /x HTTP/1.1\r\n")));
  r = request("POST");
  r.body = "abc";
  r.set_header("Content-Length", "2");  // a lie about the body
  EXPECT_FALSE(request_head(r));
  r.set_header("Content-Length", "3");
  EXPECT_TRUE(request_head(r));
  r.set_header("Transfer-Encoding", "chunked");  // we never send chunked bodies
  EXPECT_FALSE(request_head(r));
}

TEST(Http1, AContentLengthBodyKeepsTheConnection) {
  auto r = parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A:  spaced \r\n\r\nhello");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->response.status, 200);
  EXPECT_EQ(r->response.body, "hello");
  EXPECT_EQ(r->response.headers, (Headers{{"Content-Length", "5"}, {"X-A", "spaced"}}));
  EXPECT_TRUE(r->keep_alive);
}

TEST(Http1, WhetherTheConnectionStaysFollowsVersionAndConnectionHeader) {
  EXPECT_FALSE(
      parse("HTTP/1.1 200 OK\r\nConnection: keep-alive, Close\r\nContent-Length: 0\r\n\r\n")
          ->keep_alive);
  EXPECT_FALSE(parse("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n")->keep_alive);
  EXPECT_TRUE(
      parse("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n")->keep_alive);
  // A body that ends at EOF ends the connection too.
  auto eof = parse("HTTP/1.1 200 OK\r\n\r\nto the end");
  ASSERT_TRUE(eof);
  EXPECT_EQ(eof->response.body, "to the end");
  EXPECT_FALSE(eof->keep_alive);
  // Bytes nobody asked for, read with the response: not reusable. (Ones still in the socket
  // make SocketConnection::idle_and_open refuse the connection at its next checkout.)
  EXPECT_FALSE(parse("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxHTTP/1.1 200 OK\r\n", 1 << 20,
                     false, 4096)
                   ->keep_alive);
}

TEST(Http1, NoBodyForHeadAnd204And304) {
  auto head = parse("HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n", 1 << 20, true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->response.body, "");
  EXPECT_TRUE(head->keep_alive);
  EXPECT_TRUE(parse("HTTP/1.1 204 No Content\r\n\r\n")->keep_alive);
  EXPECT_TRUE(parse("HTTP/1.1 304 Not Modified\r\n\r\n")->keep_alive);
}

TEST(Http1, FramingThatCannotBeTrustedIsAFailure) {
  // Two lengths that disagree: a smuggling attempt, or a broken proxy.
  EXPECT_FALSE(parse("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"));
  EXPECT_FALSE(parse("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n"));
  EXPECT_FALSE(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"));
  EXPECT_FALSE(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX\r\n0\r\n\r\n"));
  EXPECT_FALSE(parse("ICY 200 OK\r\n\r\n"));
  EXPECT_FALSE(parse("HTTP/1.1 20 OK\r\n\r\n"));
  EXPECT_FALSE(parse("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n"));
  // Truncated: the body ends before its length; the chunked body before its last chunk.
  auto cut = parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
  ASSERT_FALSE(cut);
  EXPECT_EQ(cut.error().status, IoStatus::kEof);
  EXPECT_FALSE(cut.error().nothing_received);
  EXPECT_FALSE(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n"));
}

TEST(Http1, NothingReceivedIsToldApart) {
  auto none = parse("");
  ASSERT_FALSE(none);
  EXPECT_TRUE(none.error().nothing_received);
  EXPECT_EQ(none.error().status, IoStatus::kEof);
  auto some = parse("HTTP/1.1 2");
  ASSERT_FALSE(some);
  EXPECT_FALSE(some.error().nothing_received);
}

TEST(Http1, LimitsBoundWhatIsBuffered) {
  auto big = parse("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world", 10);
  ASSERT_FALSE(big);
  EXPECT_NE(big.error().message.find("larger than 10 bytes"), std::string::npos);
  EXPECT_FALSE(parse("HTTP/1.1 200 OK\r\n\r\nhello world", 10));
  // A head that never ends is refused, not buffered without bound.
  auto endless =
      parse("HTTP/1.1 200 OK\r\nX-A: " + std::string(300 * 1024, 'a'), 1 << 20, false, 4096);
  ASSERT_FALSE(endless);
  EXPECT_NE(endless.error().message.find("head larger"), std::string::npos);
}

}  // namespace
}  // namespace dr::aws::http1
