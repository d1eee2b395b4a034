#include "lab/haproxy_config.h"

#include <gtest/gtest.h>

#include "lab/haproxy_runtime.h"

namespace dr::lab {
namespace {

using namespace std::chrono_literals;

HaproxyConfig front_door() {
  ProxyListener l;
  l.name = "front-door";
  l.bind_address = "127.0.3.10";
  l.bind_port = 41000;
  l.mode = ProxyMode::kHttp;
  HealthCheck h;
  h.http_path = "/health/deep";
  h.observe_layer4 = true;
  l.health = h;
  ProxyServer a;
  a.name = "us-east-1";
  a.address = "127.0.1.41";
  a.port = 41001;
  ProxyServer b = a;
  b.name = "us-west-2";
  b.address = "127.0.2.41";
  b.backup = true;
  l.servers = {a, b};
  HaproxyConfig config;
  config.listeners = {l};
  config.stats_socket = "/tmp/lab/front-door/admin.sock";
  return config;
}

TEST(HaproxyConfigText, HasTheRuntimeApiStdoutLogsHealthChecksAndTheBackup) {
  const std::string cfg = render_haproxy_config(front_door());
  for (const char* line :
       {"  log stdout format raw local0\n",
        "  stats socket /tmp/lab/front-door/admin.sock mode 600 level admin\n",
        "listen front-door\n", "  bind 127.0.3.10:41000\n", "  mode http\n",
        "  option httpchk GET /health/deep\n", "  http-check expect status 200\n",
        "  default-server inter 1000ms fall 3 rise 2 observe layer4 error-limit 1 on-error "
        "mark-down\n",
        "  server us-east-1 127.0.1.41:41001 check\n",
        "  server us-west-2 127.0.2.41:41001 check backup\n"}) {
    EXPECT_NE(cfg.find(line), std::string::npos) << "missing: " << line << "\nin:\n" << cfg;
  }
}

TEST(HaproxyConfigText, AServerCanBeCheckedOnAnotherPortThanItsTraffic) {
  HaproxyConfig config = front_door();
  config.listeners[0].servers[0].check_port = 41002;  // the ALB's health listener
  const std::string cfg = render_haproxy_config(config);
  EXPECT_NE(cfg.find("  server us-east-1 127.0.1.41:41001 check port 41002\n"), std::string::npos)
      << cfg;
  EXPECT_NE(cfg.find("  server us-west-2 127.0.2.41:41001 check backup\n"), std::string::npos)
      << cfg;
}

TEST(HaproxyConfigText, AProxyCanBindTheSourceAddressItsConnectionsLeaveFrom) {
  HaproxyConfig config = front_door();
  EXPECT_EQ(render_haproxy_config(config).find("  source "), std::string::npos);
  config.listeners[0].source_address = "127.0.3.10";
  const std::string cfg = render_haproxy_config(config);
  EXPECT_NE(cfg.find("  source 127.0.3.10\n"), std::string::npos) << cfg;
  EXPECT_TRUE(validate(config));
  config.listeners[0].source_address = "10.0.0.1";
  EXPECT_EQ(validate(config).error().kind, ErrorKind::kConfig);
}

TEST(HaproxyConfigText, ValidationRefusesWhatHaproxyOrTheLabRulesWould) {
  EXPECT_TRUE(validate(front_door()));
  auto bad = front_door();
  bad.listeners[0].servers[1].address = "10.0.0.1";
  EXPECT_EQ(validate(bad).error().kind, ErrorKind::kConfig);
  bad = front_door();
  bad.listeners[0].name = "front door";
  EXPECT_FALSE(validate(bad));
  bad = front_door();
  bad.listeners.push_back(bad.listeners[0]);
  EXPECT_FALSE(validate(bad));
  bad = front_door();
  bad.listeners[0].mode = ProxyMode::kTcp;  // an HTTP check on a tcp proxy
  EXPECT_FALSE(validate(bad));
}

TEST(ShowStat, ParsesServerRowsOnly) {
  const std::string csv =
      "# pxname,svname,qcur,scur,stot,status,type,addr,bck,\n"
      "alb,FRONTEND,,0,3,OPEN,0,,,\n"
      "alb,app1,0,1,7,UP 1/2,2,127.0.1.101:4000,0,\n"
      "alb,app2,0,0,2,DOWN,2,127.0.2.101:4001,1,\n"
      "alb,BACKEND,0,0,9,UP,1,,0,\n";
  auto servers = parse_show_stat(csv);
  ASSERT_TRUE(servers) << servers.error();
  ASSERT_EQ(servers->size(), 2U);
  EXPECT_EQ((*servers)[0].server, "app1");
  EXPECT_EQ((*servers)[0].status, "UP 1/2");
  EXPECT_TRUE((*servers)[0].up());
  EXPECT_EQ((*servers)[0].total_sessions, 7U);
  EXPECT_EQ((*servers)[0].current_sessions, 1U);
  EXPECT_EQ((*servers)[0].address, "127.0.1.101:4000");
  EXPECT_FALSE((*servers)[1].up());
  EXPECT_TRUE((*servers)[1].backup);
  EXPECT_FALSE(parse_show_stat("Unknown command.\n"));
}

}  // namespace
}  // namespace dr::lab
