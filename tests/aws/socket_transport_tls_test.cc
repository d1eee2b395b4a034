// The socket transport's TLS against a real TLS server on loopback (cpp-httplib with OpenSSL),
// with a throwaway CA and server certificates made by the `openssl` CLI for this test: the peer
// is verified against AWS_CA_BUNDLE, for the certificate and for the host name. (cpp-httplib's
// pkg-config flags define CPPHTTPLIB_OPENSSL_SUPPORT.)
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <cstdlib>
#include <string>
#include <thread>

#include "aws/support/loopback_server.h"
#include "aws/support/scoped_env.h"
#include "aws/transport.h"

namespace dr::aws {
namespace {

using namespace std::chrono_literals;
using dr::test::ScopedEnv;
using dr::test::TempDir;

constexpr const char* kConfig = R"([req]
distinguished_name = dn
prompt = no
[dn]
CN = dr-test
[ca_ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ip_ext]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1
[name_ext]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost
)";

// Two CAs ("ca", "other") and two server certificates signed by "ca": "ip" names 127.0.0.1
// only, "name" names localhost only. Files <name>.pem and <name>.key in a temporary directory.
class TestPki {
 public:
  static bool openssl_available() { return std::system("command -v openssl >/dev/null 2>&1") == 0; }

  TestPki() {
    dir_.write("openssl.cnf", kConfig);
    const std::string key = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    for (const char* ca : {"ca", "other"})
      run(std::string("openssl req -x509 -config openssl.cnf -extensions ca_ext -days 2") + key +
          " -subj /CN=dr-test-" + ca + " -keyout " + ca + ".key -out " + ca + ".pem");
    for (const char* server : {"ip", "name"}) {
      std::string s = server;
      run("openssl req -new -config openssl.cnf" + key + " -subj /CN=dr-test-" + s + " -keyout " +
          s + ".key -out " + s + ".csr");
      run("openssl x509 -req -in " + s + ".csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2" +
          " -extfile openssl.cnf -extensions " + s + "_ext -out " + s + ".pem");
    }
  }

  std::string pem(const std::string& name) const {
    return (dir_.path() / (name + ".pem")).string();
  }
  std::string key(const std::string& name) const {
    return (dir_.path() / (name + ".key")).string();
  }

 private:
  void run(const std::string& command) {
    std::string line = "cd '" + dir_.path().string() + "' && " + command + " >/dev/null 2>&1";
    if (std::system(line.c_str()) != 0) throw std::runtime_error("failed: " + command);
  }
  TempDir dir_;
};

// An HTTPS server on 127.0.0.1 with the given certificate; counts the requests it answered.
class TlsServer {
 public:
  TlsServer(const std::string& cert, const std::string& key) : server_(cert.c_str(), key.c_str()) {
    if (!server_.is_valid()) throw std::runtime_error("tls server: bad certificate or key");
    server_.set_keep_alive_max_count(10000);
    server_.set_tcp_nodelay(true);
    server_.Get("/ping", [this](const httplib::Request& req, httplib::Response& res) {
      ++requests_;
      {
        std::lock_guard lock(mu_);
        ports_.insert(req.remote_port);
      }
      res.set_content("pong", "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    if (port_ <= 0) throw std::runtime_error("tls server: cannot bind 127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    if (!dr::test::wait_until([this] { return server_.is_running(); }))
      throw std::runtime_error("tls server: accept loop did not start");
  }
  ~TlsServer() {
    server_.stop();
    thread_.join();
  }
  TlsServer(const TlsServer&) = delete;
  TlsServer& operator=(const TlsServer&) = delete;

  std::string host(const std::string& name = "127.0.0.1") const {
    return name + ":" + std::to_string(port_);
  }
  int requests() const { return requests_; }
  size_t connections() {
    std::lock_guard lock(mu_);
    return ports_.size();
  }

 private:
  httplib::SSLServer server_;
  std::thread thread_;
  int port_ = -1;
  std::atomic<int> requests_{0};
  std::mutex mu_;
  std::set<int> ports_;
};

HttpRequest get(const std::string& host) {
  HttpRequest request;
  request.scheme = "https";
  request.host = host;
  request.path = "/ping";
  return request;
}

class SocketTransportTls : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!TestPki::openssl_available()) GTEST_SKIP() << "no openssl CLI to make test certificates";
    pki_ = std::make_unique<TestPki>();
  }
  std::unique_ptr<TestPki> pki_;
  ScopedEnv env_;
};

TEST_F(SocketTransportTls, AServerWhoseCertificateChainsToTheBundleIsAnsweredOverOneConnection) {
  TlsServer server(pki_->pem("ip"), pki_->key("ip"));
  env_.set("AWS_CA_BUNDLE", pki_->pem("ca"));
  auto transport = make_socket_transport();
  for (int i = 0; i < 5; ++i) {
    auto response = transport->send(get(server.host()));
    ASSERT_TRUE(response) << response.error();
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, "pong");
  }
  EXPECT_EQ(server.connections(), 1u);
}

TEST_F(SocketTransportTls, ACertificateOfAnotherCaIsRefusedBeforeTheRequestIsSent) {
  TlsServer server(pki_->pem("ip"), pki_->key("ip"));
  env_.set("AWS_CA_BUNDLE", pki_->pem("other"));
  auto response = make_socket_transport()->send(get(server.host()));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().kind, ErrorKind::kNotSent) << response.error();
  EXPECT_NE(response.error().message.find("certificate"), std::string::npos) << response.error();
  EXPECT_EQ(server.requests(), 0);
}

// The chain is good, but the certificate names 127.0.0.1, not the host asked for.
TEST_F(SocketTransportTls, ACertificateForAnotherHostIsRefused) {
  TlsServer server(pki_->pem("ip"), pki_->key("ip"));
  env_.set("AWS_CA_BUNDLE", pki_->pem("ca"));
  auto response = make_socket_transport()->send(get(server.host("localhost")));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().kind, ErrorKind::kNotSent) << response.error();
  EXPECT_NE(response.error().message.find("certificate"), std::string::npos) << response.error();
  EXPECT_EQ(server.requests(), 0);
}

// A name (as AWS endpoints are) is checked against the certificate's DNS names.
TEST_F(SocketTransportTls, ACertificateForTheHostNameIsAccepted) {
  TlsServer server(pki_->pem("name"), pki_->key("name"));
  env_.set("AWS_CA_BUNDLE", pki_->pem("ca"));
  auto transport = make_socket_transport();
  auto response = transport->send(get(server.host("localhost")));
  ASSERT_TRUE(response) << response.error();
  EXPECT_EQ(response->body, "pong");
  // ... and the same certificate does not pass for the address.
  response = transport->send(get(server.host("127.0.0.1")));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().kind, ErrorKind::kNotSent) << response.error();
}

TEST_F(SocketTransportTls, ACaBundleThatCannotBeLoadedIsNeverSent) {
  TlsServer server(pki_->pem("ip"), pki_->key("ip"));
  env_.set("AWS_CA_BUNDLE", pki_->pem("missing"));
  auto response = make_socket_transport()->send(get(server.host()));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().kind, ErrorKind::kNotSent) << response.error();
  EXPECT_NE(response.error().message.find("CA bundle"), std::string::npos) << response.error();
  EXPECT_EQ(server.requests(), 0);
}

// A peer that accepts the connection but never answers the handshake: the connect timeout
// bounds the handshake too, and nothing of the request was sent.
TEST_F(SocketTransportTls, AHandshakeThatStallsIsNotSentWithinTheConnectTimeout) {
  dr::test::RawResponder silent("");  // reads until a request head, which TLS never sends
  env_.set("AWS_CA_BUNDLE", pki_->pem("ca"));
  auto transport = make_socket_transport({.connect_timeout = 200ms, .request_timeout = 30s});
  auto started = std::chrono::steady_clock::now();
  auto response = transport->send(get(silent.host()));
  auto took = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().kind, ErrorKind::kNotSent) << response.error();
  EXPECT_NE(response.error().message.find("handshake"), std::string::npos) << response.error();
  EXPECT_LT(took, 10s);  // the connect timeout, not the request's 30 s
}

}  // namespace
}  // namespace dr::aws
