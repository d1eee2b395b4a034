// libcurl transport. Easy handles are pooled: each keeps its connection cache, so consecutive
// requests to the same endpoint reuse a kept-alive connection instead of a new TCP handshake.
#include <curl/curl.h>

#include <cstdlib>
#include <mutex>
#include <vector>

#include "aws/transport.h"

namespace dr::aws {

namespace {

struct CurlGlobal {
  CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

struct Sink {
  std::string body;
  Headers headers;
  size_t limit = 0;
  bool overflow = false;
};

size_t write_body(char* data, size_t size, size_t n, void* user) {
  auto* sink = static_cast<Sink*>(user);
  size_t len = size * n;
  if (sink->body.size() + len > sink->limit) {
    sink->overflow = true;
    return 0;  // makes curl abort with CURLE_WRITE_ERROR
  }
  sink->body.append(data, len);
  return len;
}

size_t write_header(char* data, size_t size, size_t n, void* user) {
  auto* sink = static_cast<Sink*>(user);
  std::string_view line(data, size * n);
  // A status line starts a new response (after 100-continue); it is never a header, even when
  // its reason phrase holds a colon.
  if (line.starts_with("HTTP/")) {
    sink->headers.clear();
    return size * n;
  }
  size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    auto trim = [](std::string_view s) {
      while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
      while (!s.empty() && (s.back() == '\r' || s.back() == '\n' || s.back() == ' '))
        s.remove_suffix(1);
      return s;
    };
    sink->headers.emplace_back(std::string(trim(line.substr(0, colon))),
                               std::string(trim(line.substr(colon + 1))));
  }
  return size * n;
}

class CurlTransport final : public HttpTransport {
 public:
  explicit CurlTransport(TransportOptions options)
      : options_(options),
        local_address_(options_.local_address.empty() ? "" : "host!" + options_.local_address) {
    static CurlGlobal global;
  }
  ~CurlTransport() override {
    for (CURL* h : idle_) curl_easy_cleanup(h);
  }
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  Result<HttpResponse> send(const HttpRequest& request) override {
    CURL* h = checkout();
    auto result = perform(h, request);
    checkin(h);
    return result;
  }

 private:
  CURL* checkout() {
    {
      std::lock_guard lock(mu_);
      if (!idle_.empty()) {
        CURL* h = idle_.back();
        idle_.pop_back();
        return h;
      }
    }
    return curl_easy_init();
  }
  void checkin(CURL* h) {
    std::lock_guard lock(mu_);
    idle_.push_back(h);
  }

  Result<HttpResponse> perform(CURL* h, const HttpRequest& request) {
    if (h == nullptr) return std::unexpected(Error::not_sent("curl_easy_init failed"));
    curl_easy_reset(h);  // keeps the connection cache, clears options
    std::string url = request.url();
    Sink sink;
    sink.limit = options_.max_response_bytes;
    curl_slist* headers = nullptr;
    for (const auto& [k, v] : request.headers) {
      std::string line = v.empty() ? k + ";" : k + ": " + v;
      headers = curl_slist_append(headers, line.c_str());
    }
    // curl would add "Expect: 100-continue" for larger bodies; AWS does not need the round trip.
    headers = curl_slist_append(headers, "Expect:");
    if (!request.header("Content-Type")) headers = curl_slist_append(headers, "Content-Type:");
    if (!request.header("Accept")) headers = curl_slist_append(headers, "Accept:");

    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    if (request.method == "GET") {
      curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else if (request.method == "HEAD") {
      curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else {
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, write_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &sink);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(options_.connect_timeout.count()));
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.request_timeout.count()));
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    // "host!" binds to the address itself, never to an interface of that name.
    if (!local_address_.empty()) curl_easy_setopt(h, CURLOPT_INTERFACE, local_address_.c_str());
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    if (const auto& ca = process_ca_bundle()) curl_easy_setopt(h, CURLOPT_CAINFO, ca->c_str());
    curl_easy_setopt(h, CURLOPT_NOPROXY, "*");  // loopback endpoints must never go via a proxy
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, nullptr);

    CURLcode rc = curl_easy_perform(h);
    curl_slist_free_all(headers);
    if (rc != CURLE_OK) {
      std::string what = std::string(curl_easy_strerror(rc)) + " (" + url + ")";
      if (sink.overflow)
        return std::unexpected(Error::outcome_unknown("response body larger than " +
                                                      std::to_string(options_.max_response_bytes) +
                                                      " bytes: " + what));
      long request_size = 0;
      curl_easy_getinfo(h, CURLINFO_REQUEST_SIZE, &request_size);
      // No byte of the request left this host: the server cannot have acted on it.
      if (request_size == 0 || rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
          rc == CURLE_COULDNT_RESOLVE_PROXY)
        return std::unexpected(Error::not_sent(what));
      return std::unexpected(Error::outcome_unknown(what));
    }
    HttpResponse response;
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    response.status = static_cast<int>(status);
    response.headers = std::move(sink.headers);
    response.body = std::move(sink.body);
    return response;
  }

  TransportOptions options_;
  const std::string local_address_;  // CURLOPT_INTERFACE's form, or ""
  std::mutex mu_;
  std::vector<CURL*> idle_;
};

}  // namespace

std::shared_ptr<HttpTransport> make_curl_transport(TransportOptions options) {
  return std::make_shared<CurlTransport>(options);
}

}  // namespace dr::aws
