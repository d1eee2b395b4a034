// dr-app: the HTTP service the Auto Scaling groups run (and the lab's fleets). Orders in MySQL
// through the region's writer/reader endpoints, sessions in the region's DynamoDB table.
#include <signal.h>
#include <CLI/CLI.hpp>

#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "app/db_pool.h"
#include "app/fence_watch.h"
#include "app/http_server.h"
#include "app/lease_keeper.h"
#include "app/mysql_order_store.h"
#include "app/service.h"
#include "app/session_store.h"
#include "aws/credential_chain.h"
#include "aws/dynamodb.h"
#include "aws/secrets_manager.h"

namespace {

struct HostPort {
  std::string host;
  uint16_t port = 0;
};

HostPort parse_host_port(const std::string& text, const std::string& flag) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0)
    throw CLI::ValidationError(flag, "expected host:port, got '" + text + "'");
  int port = 0;
  try {
    port = std::stoi(text.substr(colon + 1));
  } catch (const std::exception&) {
    port = -1;
  }
  if (port <= 0 || port > 65535)
    throw CLI::ValidationError(flag, "port must be 1-65535 in '" + text + "'");
  return {text.substr(0, colon), static_cast<uint16_t>(port)};
}

const char* env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

// The password never comes from a flag (flags show up in `ps`): from the environment, or from a
// Secrets Manager secret ({"username": ..., "password": ...} or a bare string).
std::pair<std::string, std::string> database_credentials(const std::string& user,
                                                         const std::string& secret_id,
                                                         const std::string& region,
                                                         const std::string& secrets_endpoint) {
  if (secret_id.empty()) return {user, env_or("DR_DB_PASSWORD", "")};
  dr::aws::ClientConfig config;
  config.region = region;
  if (!secrets_endpoint.empty()) config.endpoint_url = secrets_endpoint;
  config.credentials = dr::aws::make_default_credentials_chain();
  dr::aws::SecretsManager sm(config);
  auto secret = sm.get_secret_value(secret_id);
  if (!secret)
    throw std::runtime_error("reading database secret " + secret_id + ": " +
                             secret.error().describe());
  std::string text = secret->secret_string.value_or("");
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_object() && j.contains("password") && j["password"].is_string())
    return {j.value("username", user), j["password"].get<std::string>()};
  return {user, text};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"dr-app — the multi-region order/session service"};
  cli.set_version_flag("--version", std::string("dr-app ") + DR_APP_VERSION);
  cli.footer(
      "Environment:\n"
      "  DR_ADMIN_TOKEN   bearer token for POST /admin/fence and /admin/unfence on the admin\n"
      "                   listener; unset or empty disables those routes\n"
      "  DR_DB_PASSWORD   database password (unless --db-secret-id)\n"
      "  DR_REGION, DR_DB_USER, DR_DB_NAME   defaults for --region, --db-user, --db-name\n"
      "  AWS_XRAY_DAEMON_ADDRESS             default for --xray-daemon\n"
      "  DR_AVAILABILITY_ZONE                the instance's AZ, in X-Ray segments\n"
      "  Options marked Env: read that variable when the flag is not given (how user_data\n"
      "  configures dr-app on AWS: /etc/dr-app/env).\n"
      "\n"
      "The public listener (--listen/--port) serves orders, sessions and /health; the admin\n"
      "listener (--admin-listen/--admin-port) serves /health, /health/deep, /metrics and\n"
      "/admin/* on its own threads, for health checks and operators only.\n"
      "\n"
      "Exit codes:\n"
      "  0  stopped cleanly (SIGTERM, after draining), or --help / --version\n"
      "  1  failed: cannot listen, a configuration that cannot be read (a secret, a database),\n"
      "     or the HTTP server stopped with an error\n"
      "  2  usage error: bad flags or values; nothing was started");
  std::string region = env_or("DR_REGION", "us-east-1");
  std::string listen = "127.0.0.1";
  int port = 8080;
  std::string admin_listen;
  int admin_port = 8081;
  int threads = 16;
  int max_queued = 32;
  std::string fenced_reason;
  std::string instance_id;
  std::string writer_text, reader_text;
  std::string db_user = env_or("DR_DB_USER", "dr_app");
  std::string db_name = env_or("DR_DB_NAME", "dr");
  std::string db_secret_id;
  std::string secrets_endpoint;
  std::string dynamodb_endpoint;
  std::string sessions_table = "dr-app-sessions";
  bool no_sessions = false;
  std::string ready_file;
  int connect_timeout_ms = 1000;
  int drain_ms = 2000;
  std::string xray_daemon = env_or("AWS_XRAY_DAEMON_ADDRESS", "");
  double xray_sample_rate = 0.05;
  int fence_poll_ms = 5000;
  std::string lease_endpoints_text;
  std::string lease_table;
  std::string lease_local_address;
  int lease_ttl_s = 2, lease_margin_ms = 600, lease_renew_ms = 250;
  cli.add_option("--region", region, "the region this instance serves (env DR_REGION)");
  cli.add_option("--listen", listen, "address to listen on")
      ->capture_default_str()
      ->envname("DR_LISTEN");
  cli.add_option("--port", port, "port to listen on; 0 picks a free one")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str()
      ->envname("DR_PORT");
  cli.add_option("--admin-listen", admin_listen,
                 "address of the admin listener (health checks, /metrics, /admin/*); default: "
                 "--listen")
      ->envname("DR_ADMIN_LISTEN");
  cli.add_option("--admin-port", admin_port, "port of the admin listener; 0 picks a free one")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str()
      ->envname("DR_ADMIN_PORT");
  cli.add_option("--threads", threads, "requests served at once on the public listener")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  cli.add_option("--max-queued", max_queued,
                 "requests waiting for a thread; beyond this they get 503 + Retry-After")
      ->check(CLI::Range(0, 100000))
      ->capture_default_str();
  cli.add_option("--fenced", fenced_reason,
                 "start fenced (refuse writes, fail /health/deep) for this reason, as an "
                 "instance launched into a fenced region does");
  cli.add_option("--instance-id", instance_id, "name in responses and logs (default host:port)")
      ->envname("DR_INSTANCE_ID");
  cli.add_option("--db-writer", writer_text, "writer endpoint host:port")
      ->required()
      ->envname("DR_DB_WRITER");
  cli.add_option("--db-reader", reader_text, "reader endpoint host:port (default: the writer)")
      ->envname("DR_DB_READER");
  cli.add_option("--db-user", db_user,
                 "database user (env DR_DB_USER); password from env "
                 "DR_DB_PASSWORD or --db-secret-id");
  cli.add_option("--db-name", db_name,
                 "database (schema) holding the app's tables (env DR_DB_NAME)")
      ->capture_default_str();
  cli.add_option("--db-secret-id", db_secret_id, "Secrets Manager secret with the password")
      ->envname("DR_DB_SECRET_ID");
  cli.add_option("--secrets-endpoint", secrets_endpoint, "Secrets Manager endpoint override");
  cli.add_option("--dynamodb-endpoint", dynamodb_endpoint, "DynamoDB endpoint override");
  cli.add_option("--sessions-table", sessions_table, "DynamoDB table for sessions")
      ->capture_default_str()
      ->envname("DR_SESSIONS_TABLE");
  cli.add_flag("--no-sessions", no_sessions, "run without DynamoDB (sessions answer 503)");
  cli.add_option("--ready-file", ready_file,
                 "once listening, write the public host:port and, on a second line, the admin "
                 "host:port here");
  cli.add_option("--db-connect-timeout-ms", connect_timeout_ms, "database connect timeout")
      ->check(CLI::Range(100, 60000))
      ->capture_default_str();
  cli.add_option("--drain-ms", drain_ms, "on SIGTERM, fail /health this long before stopping")
      ->check(CLI::Range(0, 600000))
      ->capture_default_str();
  cli.add_option("--xray-daemon", xray_daemon,
                 "send X-Ray segments for the public routes to this daemon (host:port; env "
                 "AWS_XRAY_DAEMON_ADDRESS); unset: no tracing");
  cli.add_option("--xray-sample-rate", xray_sample_rate,
                 "share of requests traced after the first each second, unless the caller's "
                 "X-Amzn-Trace-Id decided")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cli.add_option("--fence-poll-ms", fence_poll_ms,
                 "how often to read the DR controller's fence record (fence#<region> in the "
                 "sessions table); 0: never")
      ->check(CLI::Range(0, 3600000))
      ->capture_default_str()
      ->envname("DR_FENCE_POLL_MS");
  auto* lease_endpoints_opt =
      cli.add_option("--lease-endpoints", lease_endpoints_text,
                     "the write lease's etcd members, host:port,...: writes only while this "
                     "region holds the lease (docs/partitions.md); empty: no lease")
          ->envname("DR_LEASE_ENDPOINTS");
  cli.add_option("--lease-table", lease_table,
                 "the write lease's DynamoDB table (AWS: multi-Region strong consistency), "
                 "through --dynamodb-endpoint or the region's DynamoDB; empty: no lease")
      ->envname("DR_LEASE_TABLE")
      ->excludes(lease_endpoints_opt);
  cli.add_option("--lease-local-address", lease_local_address,
                 "the address the lease calls leave from (the lab: this instance's own)")
      ->envname("DR_LEASE_LOCAL_ADDRESS");
  cli.add_option("--lease-ttl-s", lease_ttl_s, "the write lease's TTL, as its takers grant it")
      ->check(CLI::Range(1, 60))
      ->capture_default_str();
  cli.add_option("--lease-margin-ms", lease_margin_ms,
                 "stop writing this long before the lease could pass to another region "
                 "(the store's election timeout plus clock drift)")
      ->check(CLI::Range(0, 60000))
      ->capture_default_str();
  cli.add_option("--lease-renew-ms", lease_renew_ms, "how often to renew the write lease")
      ->check(CLI::Range(10, 60000))
      ->capture_default_str();
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 has a code per kind of mistake; ours is one, as documented (--help and --version: 0).
    return cli.exit(e) == 0 ? 0 : 2;
  }

  try {
    HostPort writer = parse_host_port(writer_text, "--db-writer");
    HostPort reader = reader_text.empty() ? writer : parse_host_port(reader_text, "--db-reader");
    auto [user, password] = database_credentials(db_user, db_secret_id, region, secrets_endpoint);

    auto options_for = [&](const HostPort& hp) {
      dr::db::ConnectOptions o;
      o.host = hp.host;
      o.port = hp.port;
      o.user = user;
      o.password = password;
      o.database = db_name;
      o.connect_timeout = std::chrono::milliseconds(connect_timeout_ms);
      // A statement that takes longer than this on a healthy server is a bug; on a frozen one
      // it is the bound on how long a client waits for its 503/504.
      o.read_timeout = std::chrono::milliseconds(3000);
      o.write_timeout = std::chrono::milliseconds(3000);
      return o;
    };
    dr::app::DbPool writer_pool(options_for(writer), 16);
    dr::app::DbPool reader_pool(options_for(reader), 16);
    dr::app::MysqlOrderStore orders(writer_pool, reader_pool, region);
    if (auto m = orders.migrate(); !m)
      std::cerr << "dr-app: schema not ready yet (will retry on first write): " << m.error().message
                << "\n";

    // The sessions' and the write lease's DynamoDB client, bounded per request.
    const auto ddb_config = [&] {
      dr::aws::ClientConfig config;
      config.region = region;
      if (!dynamodb_endpoint.empty()) config.endpoint_url = dynamodb_endpoint;
      config.credentials = dr::aws::make_default_credentials_chain();
      dr::aws::TransportOptions transport;
      transport.connect_timeout = std::chrono::milliseconds(500);
      transport.request_timeout = std::chrono::milliseconds(2000);
      config.transport = dr::aws::make_curl_transport(transport);
      config.retry.max_attempts = 2;  // the client retries too; keep the request bounded
      config.retry.base_delay = std::chrono::milliseconds(50);
      return config;
    };
    std::unique_ptr<dr::aws::DynamoDb> ddb;
    std::unique_ptr<dr::app::SessionStore> sessions;
    if (!no_sessions) {
      ddb = std::make_unique<dr::aws::DynamoDb>(ddb_config());
      sessions = std::make_unique<dr::app::SessionStore>(
          *ddb, sessions_table, region, [] { return std::chrono::system_clock::now(); });
      if (auto t = sessions->ensure_table(); !t)
        std::cerr << "dr-app: sessions table not ready yet: " << t.error() << "\n";
    }

    dr::app::Metrics metrics;
    dr::app::FenceState fence;
    if (!fenced_reason.empty()) fence.fence(fenced_reason);
    // The controller's fence record: read once before serving (an instance launched into a
    // fenced region starts fenced), then every --fence-poll-ms.
    std::unique_ptr<dr::app::FenceWatch> fence_watch;
    if (ddb && fence_poll_ms > 0) {
      fence_watch = std::make_unique<dr::app::FenceWatch>(
          fence, region, dr::app::read_fence_record(*ddb, sessions_table, region));
      if (auto what = fence_watch->poll_once(); !what.empty())
        std::cerr << "dr-app: fence record: " << what << "\n";
    }
    // The write lease: renewed once before serving (so the first writes need not fail), then
    // every --lease-renew-ms.
    std::unique_ptr<dr::app::LeaseKeeper> lease;
    if (!lease_endpoints_text.empty() || !lease_table.empty()) {
      if (std::chrono::milliseconds(lease_margin_ms) >= std::chrono::seconds(lease_ttl_s) ||
          std::chrono::milliseconds(lease_renew_ms) * 2 > std::chrono::seconds(lease_ttl_s)) {
        std::cerr << "dr-app: --lease-margin-ms must be below the TTL, and --lease-renew-ms at "
                     "most half of it\n";
        return 2;
      }
      std::unique_ptr<dr::lease::LeaseStore> store;
      if (!lease_table.empty()) {
        store = dr::app::dynamodb_lease_store(ddb_config(), lease_table);
      } else {
        dr::lease::EtcdOptions etcd;
        std::stringstream list(lease_endpoints_text);
        for (std::string e; std::getline(list, e, ',');)
          if (!e.empty()) {
            const HostPort hp = parse_host_port(e, "--lease-endpoints");
            etcd.endpoints.push_back(hp.host + ":" + std::to_string(hp.port));
          }
        etcd.local_address = lease_local_address;
        store = dr::app::etcd_lease_store(etcd);
      }
      lease = std::make_unique<dr::app::LeaseKeeper>(
          std::move(store), region,
          dr::lease::LeaseTimings{std::chrono::seconds(lease_ttl_s),
                                  std::chrono::milliseconds(lease_margin_ms)},
          [] { return std::chrono::steady_clock::now(); }, &fence);
      if (auto what = lease->renew_once(); !what.empty()) std::cerr << "dr-app: " << what << "\n";
    }
    dr::app::HttpOptions http;
    http.admin_token = env_or("DR_ADMIN_TOKEN", "");
    http.limits.workers = static_cast<size_t>(threads);
    http.limits.max_queued = static_cast<size_t>(max_queued);
    dr::app::HttpListener server(dr::app::public_listener_options(http));
    dr::app::HttpListener admin(dr::app::admin_listener_options(http));
    if (admin_listen.empty()) admin_listen = listen;
    auto bound = server.bind(listen, static_cast<uint16_t>(port));
    if (!bound) {
      std::cerr << "dr-app: cannot listen on " << listen << ":" << port << ": " << bound.error()
                << "\n";
      return 1;
    }
    auto admin_bound = admin.bind(admin_listen, static_cast<uint16_t>(admin_port));
    if (!admin_bound) {
      std::cerr << "dr-app: cannot listen on " << admin_listen << ":" << admin_port
                << " (admin): " << admin_bound.error() << "\n";
      return 1;
    }
    if (instance_id.empty()) instance_id = listen + ":" + std::to_string(*bound);
    dr::app::Service service(region, instance_id, orders, sessions.get(), metrics, fence,
                             lease.get());
    std::unique_ptr<dr::app::XRay> xray;
    if (!xray_daemon.empty()) {
      auto address = dr::app::parse_daemon_address(xray_daemon);
      if (!address)
        throw CLI::ValidationError("--xray-daemon",
                                   "expected host:port, got '" + xray_daemon + "'");
      std::string error;
      xray = dr::app::XRay::open({.service_name = "dr-app",
                                  .daemon_host = address->first,
                                  .daemon_port = address->second,
                                  .region = region,
                                  .instance_id = instance_id,
                                  .availability_zone = env_or("DR_AVAILABILITY_ZONE", ""),
                                  .sample_rate = xray_sample_rate},
                                 &error);
      if (!xray) throw std::runtime_error(error);
      http.xray = xray.get();
    }

    // SIGTERM/SIGINT: fail /health first so the load balancer drains us, then stop.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::thread stopper([&] {
      int sig = 0;
      sigwait(&signals, &sig);
      service.start_draining();
      std::this_thread::sleep_for(std::chrono::milliseconds(drain_ms));  // the drain window
      server.stop();
      admin.stop();
    });
    bool admin_served = true;
    std::thread admin_thread([&] {
      admin_served = admin.serve(dr::app::admin_routes(service, metrics, http));
      // Without its health listener the instance would look dead: stop it all (an error exit).
      if (!admin_served) ::kill(::getpid(), SIGTERM);
    });

    if (lease)
      lease->start(std::chrono::milliseconds(lease_renew_ms),
                   [](const std::string& what) { std::cerr << "dr-app: " << what << std::endl; });
    if (fence_watch)
      fence_watch->start(std::chrono::milliseconds(fence_poll_ms), [](const std::string& what) {
        std::cerr << "dr-app: fence record: " << what << std::endl;
      });
    std::cout << "dr-app " << instance_id << " region " << region << " listening on " << listen
              << ":" << *bound << " (admin " << admin_listen << ":" << *admin_bound << ")"
              << std::endl;
    if (!ready_file.empty()) {
      std::ofstream(ready_file + ".tmp") << listen << ":" << *bound << "\n"
                                         << admin_listen << ":" << *admin_bound << "\n";
      std::rename((ready_file + ".tmp").c_str(), ready_file.c_str());
    }
    bool served = server.serve(dr::app::public_routes(service, metrics, http));
    // listen returned without a signal (an accept error): wake the stopper so join() returns.
    pthread_kill(stopper.native_handle(), SIGTERM);
    stopper.join();
    admin_thread.join();
    if (!served || !admin_served) {
      std::cerr << "dr-app: the HTTP server stopped with an error\n";
      return 1;
    }
    return 0;
  } catch (const CLI::ValidationError& e) {
    std::cerr << "dr-app: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "dr-app: " << e.what() << "\n";
    return 1;
  }
}
