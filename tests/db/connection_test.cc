// The database client against a real MariaDB server of the lab.
#include "db/connection.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>

#include "lab/mariadb_helpers.h"
#include "lab/temp_dir.h"

namespace dr::db {
namespace {

using dr::testing::ms_since;
using dr::testing::TempDir;
using namespace std::chrono_literals;

// One server for the whole suite: these tests are about the client, not the server's life.
class DbConnection : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<TempDir>("dr-db-test");
    auto db = dr::testing::start_mariadb(dir_->path(), "m1", lab::Site::kUsEast1, 0, 1);
    ASSERT_TRUE(db) << db.error();
    server_ = std::make_unique<lab::MariaDbInstance>(std::move(*db));
    ASSERT_TRUE(server_->promote(false));
    dr::testing::exec_or_fail(*server_, "CREATE DATABASE IF NOT EXISTS dr");
  }
  static void TearDownTestSuite() {
    server_.reset();  // kills the server before its directory goes
    dir_.reset();
  }
  void SetUp() override {
    if (server_ == nullptr) GTEST_SKIP() << "no server";
    // A test that crashed or froze the server must not hurt the next one.
    (void)server_->thaw();
    ASSERT_TRUE(server_->start());
  }

  static Connection app() {
    auto c = Connection::connect(server_->app_options());
    EXPECT_TRUE(c) << c.error();
    return std::move(*c);
  }

  static inline std::unique_ptr<TempDir> dir_;
  static inline std::unique_ptr<lab::MariaDbInstance> server_;
};

TEST_F(DbConnection, RunsStatementsAndReturnsRowsWithNullsAndColumnNames) {
  Connection c = app();
  ASSERT_TRUE(c.exec("CREATE TABLE t_rows (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(20))"));
  auto inserted = c.exec("INSERT INTO t_rows (v) VALUES ('a'), (NULL)");
  ASSERT_TRUE(inserted) << inserted.error();
  EXPECT_EQ(inserted->affected_rows, 2U);
  EXPECT_EQ(inserted->last_insert_id, 1U);  // the first id of a multi-row insert

  auto rows = c.query("SELECT id, v FROM t_rows ORDER BY id");
  ASSERT_TRUE(rows) << rows.error();
  ASSERT_EQ(rows->size(), 2U);
  EXPECT_EQ(rows->columns, (std::vector<std::string>{"id", "v"}));
  EXPECT_EQ(rows->get(0, "v"), "a");
  EXPECT_EQ(rows->get(1, "v"), std::nullopt);
  EXPECT_EQ(rows->get(1, "id"), "2");
  EXPECT_EQ(rows->get(0, "nope"), std::nullopt);

  EXPECT_EQ(c.query_value("SELECT COUNT(*) FROM t_rows").value(), "2");
  EXPECT_EQ(c.query_value("SELECT v FROM t_rows WHERE id = 42").value(), std::nullopt);
  auto exec_of_select = c.exec("SELECT 1");  // rows are drained; the connection stays usable
  ASSERT_TRUE(exec_of_select) << exec_of_select.error();
  EXPECT_TRUE(c.ping());
  ASSERT_TRUE(c.exec("DROP TABLE t_rows"));
}

TEST_F(DbConnection, QuotedTextRoundTripsIncludingQuotesBackslashesNulAndUnicode) {
  Connection c = app();
  const std::string awkward = std::string("it's a \"test\" \\ ; --") + '\0' + " \xF0\x9F\x9A\x80";
  auto back = c.query_value("SELECT " + c.quote(awkward));
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(back->value(), awkward);
}

TEST_F(DbConnection, ADuplicateKeyIsItsOwnKindAndLeavesTheConnectionUsable) {
  Connection c = app();
  ASSERT_TRUE(c.exec("CREATE TABLE t_dup (k VARCHAR(20) PRIMARY KEY)"));
  ASSERT_TRUE(c.exec("INSERT INTO t_dup VALUES ('key-1')"));
  auto again = c.exec("INSERT INTO t_dup VALUES ('key-1')");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind, ErrorKind::kDuplicateKey);
  EXPECT_EQ(again.error().code, 1062U);
  EXPECT_EQ(again.error().sqlstate, "23000");
  EXPECT_FALSE(again.error().server_gone());
  EXPECT_TRUE(c.exec("DROP TABLE t_dup"));
}

TEST_F(DbConnection, ASyntaxErrorIsAServerErrorWithItsNumber) {
  Connection c = app();
  auto bad = c.query("SELEKT 1");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::kServerError);
  EXPECT_EQ(bad.error().code, 1064U);
}

TEST_F(DbConnection, AFencedServerRefusesAppWritesAsReadOnly) {
  Connection c = app();
  ASSERT_TRUE(c.exec("CREATE TABLE t_fence (id INT PRIMARY KEY)"));
  ASSERT_TRUE(server_->set_read_only(true));
  auto write = c.exec("INSERT INTO t_fence VALUES (1)");
  ASSERT_TRUE(server_->set_read_only(false));
  ASSERT_FALSE(write);
  EXPECT_EQ(write.error().kind, ErrorKind::kReadOnly);
  EXPECT_EQ(write.error().code, 1290U);
  EXPECT_TRUE(c.exec("DROP TABLE t_fence"));
}

TEST_F(DbConnection, WrongCredentialsAreAccessDenied) {
  ConnectOptions o = server_->app_options();
  o.password = "not-the-password";
  auto c = Connection::connect(o);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().kind, ErrorKind::kAccessDenied);
  EXPECT_EQ(c.error().code, 1045U);
}

TEST_F(DbConnection, ConnectsFromTheBoundAddress) {
  ConnectOptions o = server_->app_options();
  const std::string client_address = "SELECT SUBSTRING_INDEX(USER(), '@', -1)";
  auto unbound = Connection::connect(o);
  ASSERT_TRUE(unbound) << unbound.error();
  EXPECT_EQ(unbound->query_value(client_address).value(), "127.0.0.1");
  o.bind_address = "127.0.2.23";
  auto bound = Connection::connect(o);
  ASSERT_TRUE(bound) << bound.error();
  EXPECT_EQ(bound->query_value(client_address).value(), "127.0.2.23");
}

TEST_F(DbConnection, NothingListeningIsAFastConnectFailure) {
  auto port = lab::pick_free_port("127.0.1.99");
  ASSERT_TRUE(port);
  ConnectOptions o = server_->app_options();
  o.host = "127.0.1.99";
  o.port = *port;
  const auto start = std::chrono::steady_clock::now();
  auto c = Connection::connect(o);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().kind, ErrorKind::kConnectFailed) << c.error();
  // Connector/C reports a refused TCP connect as 2002, libmysqlclient as 2003.
  EXPECT_TRUE(c.error().code == 2002U || c.error().code == 2003U) << c.error();
  EXPECT_TRUE(c.error().server_gone());
  EXPECT_LT(ms_since(start), 1000);
}

// A listener that accepts TCP connections (the kernel does) but never sends the greeting.
class SilentListener {
 public:
  SilentListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    ::inet_pton(AF_INET, "127.0.1.98", &addr.sin_addr);
    socklen_t len = sizeof addr;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
        ::listen(fd_, 8) == 0 &&
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      port_ = ntohs(addr.sin_port);
    }
  }
  ~SilentListener() { ::close(fd_); }
  std::uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

TEST_F(DbConnection, AServerThatNeverGreetsCostsAtMostTheTimeout) {
  SilentListener silent;
  ASSERT_NE(silent.port(), 0);
  ConnectOptions o = server_->app_options();
  o.host = "127.0.1.98";
  o.port = silent.port();
  o.connect_timeout = 1s;
  o.read_timeout = 1s;
  const auto start = std::chrono::steady_clock::now();
  auto c = Connection::connect(o);
  const double took = ms_since(start);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().kind, ErrorKind::kConnectFailed) << c.error();
  EXPECT_GE(took, 900);
  EXPECT_LT(took, 4000) << "bounded, never a hang";
}

// A listener whose accept queue is full: the kernel drops further SYNs, as a cut does, and a
// connect hangs until its timeout. libmariadb counts that timeout in whole seconds; a sub-second
// one is honoured to the ms (the controller's fence across a cut cost a whole second, twice).
TEST_F(DbConnection, ASubSecondConnectTimeoutIsHonouredWhenTheSynIsDropped) {
  const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  ::inet_pton(AF_INET, "127.0.1.97", &addr.sin_addr);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(listener, 0), 0);
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  std::vector<int> fillers;
  // Fill the queue until a connect no longer completes at once.
  for (int i = 0; i < 8; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    fillers.push_back(fd);
    (void)::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    pollfd p{fd, POLLOUT, 0};
    if (::poll(&p, 1, 200) == 0) break;  // this SYN was dropped: the queue is full
  }
  ConnectOptions o = server_->app_options();
  o.host = "127.0.1.97";
  o.port = ntohs(addr.sin_port);
  o.connect_timeout = 300ms;
  const auto start = std::chrono::steady_clock::now();
  auto c = Connection::connect(o);
  const double took = ms_since(start);
  for (int fd : fillers) ::close(fd);
  ::close(listener);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().kind, ErrorKind::kConnectFailed) << c.error();
  EXPECT_TRUE(c.error().server_gone()) << c.error();
  EXPECT_NE(c.error().message.find("no TCP connect within 300 ms"), std::string::npos) << c.error();
  EXPECT_LT(took, 950) << "libmariadb alone waits a whole second";
}

TEST_F(DbConnection, AFrozenServerTimesOutAReadAsConnectionLost) {
  ConnectOptions o = server_->app_options();
  o.read_timeout = 1s;
  auto c = Connection::connect(o);
  ASSERT_TRUE(c) << c.error();
  ASSERT_TRUE(server_->freeze());
  const auto start = std::chrono::steady_clock::now();
  auto r = c->query("SELECT 1");
  const double took = ms_since(start);
  ASSERT_TRUE(server_->thaw());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kConnectionLost) << r.error();
  EXPECT_TRUE(r.error().outcome_unknown());
  EXPECT_LT(took, 4000) << "bounded, never a hang";
}

TEST_F(DbConnection, AKilledServerIsReportedAsGoneThenReachableAfterRestart) {
  Connection c = app();
  ASSERT_TRUE(server_->crash());
  auto r = c.query("SELECT 1");
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().kind == ErrorKind::kConnectionLost) << r.error();
  EXPECT_TRUE(r.error().code == 2006U || r.error().code == 2013U) << r.error();
  auto fresh = Connection::connect(server_->app_options());
  ASSERT_FALSE(fresh);
  EXPECT_EQ(fresh.error().kind, ErrorKind::kConnectFailed) << fresh.error();

  ASSERT_TRUE(server_->restart());
  ASSERT_TRUE(server_->promote(false));  // it boots fenced
  EXPECT_TRUE(Connection::connect(server_->app_options()));
}

}  // namespace
}  // namespace dr::db
