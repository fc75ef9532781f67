// The C API of prometheus_emulator side by side with prometheus-cpp, on the same operations.
//
//   bench [--smoke] [--json FILE] [ROW...]
//
// Measuring works as in the Rust harness (benches/compare/harness.rs): each sample is a batch of
// calls sized to about 0.5 ms (short, so that most batches run without being descheduled), the contestants' samples are interleaved round-robin so that load
// from other processes hits both alike, and each figure is the median of the samples. Thread rows
// give the throughput of 1 and 2 threads incrementing one shared counter. Memory is the heap in use
// (mallinfo2) after creating 100k children, over their number. With --smoke every operation runs
// once and its result is checked; nothing is timed.
//
// Each library is used as its documentation shows: ours through include/prometheus_emulator.h and
// the static library; prometheus-cpp (Debian's 1.0.1, a shared library) through its builders.

#include <prometheus_emulator.h>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/summary.h>
#include <prometheus/text_serializer.h>

#include <prometheus/exposer.h>

#include <arpa/inet.h>
#include <malloc.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Settings {
  bool smoke = false;
  int samples = 101;
  double batch_s = 0.0005;
  int thread_samples = 15;
  uint64_t thread_ops = 4000000;
};

Settings settings;

void check(pe_status s, const char* what) {
  if (s != PE_OK) {
    std::fprintf(stderr, "%s failed: %s (%s)\n", what, pe_status_str(s), pe_last_error());
    std::exit(1);
  }
}

void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "check failed: %s\n", what);
    std::exit(1);
  }
}

// Keeps the compiler from assuming anything about a value or pointer, like Rust's black_box.
template <typename T>
inline T opaque(T value) {
  asm volatile("" : "+r"(value) : : "memory");
  return value;
}

inline double opaque_double(double value) {
  asm volatile("" : "+x"(value) : : "memory");
  return value;
}

double median(std::vector<double> v) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

using Op = std::function<void(uint64_t)>;

double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

uint64_t calibrate(const Op& op, double target) {
  uint64_t iters = 1;
  for (;;) {
    auto start = Clock::now();
    op(iters);
    double elapsed = seconds(Clock::now() - start);
    if (elapsed >= target || iters >= (1ull << 40)) {
      double per = std::max(elapsed / iters, 1e-12);
      return std::max<uint64_t>(1, static_cast<uint64_t>(target / per));
    }
    iters = elapsed < target / 16 ? iters * 8 : iters * 2;
  }
}

// Median nanoseconds per call of each contestant. With `warm`, one untimed call precedes each
// sample (for operations whose batch is a single call, as encoding 10k series is).
std::vector<double> per_call(std::vector<Op>& ops, bool warm = false) {
  size_t n = ops.size();
  std::vector<uint64_t> iters(n, 1);
  if (!settings.smoke) {
    for (size_t i = 0; i < n; i++) {
      calibrate(ops[i], settings.batch_s / 4);
      iters[i] = calibrate(ops[i], settings.batch_s);
    }
  }
  std::vector<std::vector<double>> samples(n);
  for (int round = 0; round < settings.samples; round++) {
    for (size_t k = 0; k < n; k++) {
      size_t i = (round + k) % n;
      if (warm && !settings.smoke) ops[i](1);
      auto start = Clock::now();
      ops[i](iters[i]);
      double elapsed = seconds(Clock::now() - start);
      samples[i].push_back(elapsed * 1e9 / iters[i]);
    }
  }
  std::vector<double> out;
  for (auto& s : samples) out.push_back(median(s));
  return out;
}

// Median million operations per second of `threads` threads running each contestant at once.
std::vector<double> throughput(int threads, std::vector<Op>& ops) {
  size_t n = ops.size();
  std::vector<std::vector<double>> samples(n);
  int rounds = settings.smoke ? 1 : settings.thread_samples + 1;
  for (int round = 0; round < rounds; round++) {
    for (size_t k = 0; k < n; k++) {
      size_t i = (round + k) % n;
      std::atomic<int> ready{0};
      std::atomic<bool> go{false};
      std::vector<std::thread> workers;
      for (int t = 0; t < threads; t++) {
        workers.emplace_back([&, i] {
          ready.fetch_add(1);
          while (!go.load(std::memory_order_acquire)) {
            std::this_thread::yield();
          }
          ops[i](settings.thread_ops);
        });
      }
      while (ready.load() != threads) std::this_thread::yield();
      auto start = Clock::now();
      go.store(true, std::memory_order_release);
      for (auto& w : workers) w.join();
      double elapsed = seconds(Clock::now() - start);
      if (settings.smoke || round > 0) {
        samples[i].push_back(threads * static_cast<double>(settings.thread_ops) / elapsed / 1e6);
      }
    }
  }
  std::vector<double> out;
  for (auto& s : samples) out.push_back(median(s));
  return out;
}

size_t heap_in_use() {
  struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
}

// ---------------------------------------------------------------------------------------------
// Rows and their output.

struct Row {
  std::string op;
  std::string unit;
  bool higher_is_better;
  double ours;
  double peer;
  // The bar: ours / prometheus-cpp at most (or, for throughput, at least) this; 0 for none.
  double bar;
  std::string note;
};

std::vector<Row> rows;

std::string fmt(double v) {
  char buf[32];
  if (!std::isfinite(v)) return "-";
  std::snprintf(buf, sizeof buf, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v);
  return buf;
}

void add_row(Row row) {
  if (!settings.smoke) {
    std::fprintf(stderr, "%-46s ours %s %s  prometheus-cpp %s %s\n", row.op.c_str(),
                 fmt(row.ours).c_str(), row.unit.c_str(), fmt(row.peer).c_str(), row.unit.c_str());
  }
  rows.push_back(std::move(row));
}

std::string json_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

std::string json_number(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

void write_json(const char* path) {
  FILE* f = std::fopen(path, "w");
  if (!f) {
    std::perror(path);
    std::exit(1);
  }
  for (auto& r : rows) {
    std::fprintf(f,
                 "{\"section\":\"C API vs prometheus-cpp\",\"op\":\"%s\",\"unit\":\"%s\","
                 "\"higher_is_better\":%s,\"results\":{\"ours\":%s,\"prometheus-cpp\":%s},"
                 "\"bar\":%s,\"note\":\"%s\"}\n",
                 json_escape(r.op).c_str(), r.unit.c_str(), r.higher_is_better ? "true" : "false",
                 json_number(r.ours).c_str(), json_number(r.peer).c_str(),
                 r.bar > 0 ? ("{\"against\":\"prometheus-cpp\",\"ratio\":" + json_number(r.bar) + "}").c_str()
                           : "null",
                 json_escape(r.note).c_str());
  }
  std::fclose(f);
}

// The same inputs as the Rust harness: 256 latencies log-uniform over 1 ms .. 20 s.
std::vector<double> make_values() {
  std::vector<double> v(256);
  uint64_t state = 0x9E3779B97F4A7C15ull;
  for (auto& x : v) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    double unit = static_cast<double>(state >> 11) / static_cast<double>(1ull << 53);
    x = 1e-3 * std::pow(2e4, unit);
  }
  return v;
}

const std::vector<double> kValues = make_values();
const std::vector<double> kBounds = {0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25,
                                     0.5,   0.75, 1.0,   2.5,  5.0,   7.5, 10.0};
const char* const kMethods[4] = {"GET", "POST", "PUT", "DELETE"};
const char* const kPaths[4] = {"/api/v1/users", "/api/v1/users/:id", "/api/v1/products",
                               "/api/v1/products/:id/purchase"};
const char* const kLabelNames[2] = {"method", "path"};

std::shared_ptr<prometheus::Registry> cpp_registry() {
  return std::make_shared<prometheus::Registry>();
}

// ---------------------------------------------------------------------------------------------

void per_call_row(const char* op, Op ours, Op peer, double bar, const char* note = "") {
  std::vector<Op> ops = {std::move(ours), std::move(peer)};
  auto r = per_call(ops);
  add_row({op, "ns", false, r[0], r[1], bar, note});
}

// An empty function with the signature of pe_gauge_set(), called as the library's functions are:
// what any out-of-line update costs in this loop before it does anything (the floor of the rows
// below; prometheus-cpp's calls pay it too, through the PLT of its shared library).
__attribute__((noipa)) pe_status empty_call(pe_gauge* g, double v) {
  asm volatile("" : : "r"(g), "x"(v) : "memory");
  return PE_OK;
}

void call_floor() {
  pe_gauge* g = nullptr;
  const double* v = kValues.data();
  std::vector<Op> ops = {[&](uint64_t n) {
    for (uint64_t i = 0; i < n; i++) check(empty_call(opaque(g), opaque_double(v[i & 255])), "empty");
  }};
  auto r = per_call(ops);
  add_row({"empty function call (the floor of a call from C)", "ns", false, r[0], NAN, 0, ""});
}

void counter_inc() {
  pe_counter* c;
  check(pe_counter_new("c", "h", nullptr, 0, &c), "pe_counter_new");
  auto reg = cpp_registry();
  auto& pc = prometheus::BuildCounter().Name("c").Help("h").Register(*reg).Add({});
  per_call_row(
      "counter inc", [&](uint64_t n) { for (uint64_t i = 0; i < n; i++) check(pe_counter_inc(opaque(c), 1.0), "inc"); },
      [&](uint64_t n) { for (uint64_t i = 0; i < n; i++) opaque(&pc)->Increment(); }, 0.5);
  double v;
  check(pe_counter_get(c, &v), "get");
  require(v >= 1 && pc.Value() >= 1, "counters counted");
  pe_counter_free(c);
}

void gauge_set() {
  pe_gauge* g;
  check(pe_gauge_new("g", "h", nullptr, 0, &g), "pe_gauge_new");
  auto reg = cpp_registry();
  auto& pg = prometheus::BuildGauge().Name("g").Help("h").Register(*reg).Add({});
  const double* v = kValues.data();
  per_call_row(
      "gauge set",
      [&](uint64_t n) { for (uint64_t i = 0; i < n; i++) check(pe_gauge_set(opaque(g), opaque_double(v[i & 255])), "set"); },
      [&](uint64_t n) { for (uint64_t i = 0; i < n; i++) opaque(&pg)->Set(opaque_double(v[i & 255])); }, 0.5);
  double got;
  check(pe_gauge_get(g, &got), "get");
  require(got > 0 && pg.Value() > 0, "gauges set");
  pe_gauge_free(g);
}

void histogram_observe() {
  pe_histogram* h;
  check(pe_histogram_new("h", "h", nullptr, 0, kBounds.data(), kBounds.size(), &h), "pe_histogram_new");
  auto reg = cpp_registry();
  auto& ph = prometheus::BuildHistogram().Name("h").Help("h").Register(*reg).Add({}, kBounds);
  const double* v = kValues.data();
  per_call_row(
      "histogram observe (14 bounds + Inf)",
      [&](uint64_t n) { for (uint64_t i = 0; i < n; i++) check(pe_histogram_observe(opaque(h), opaque_double(v[i & 255])), "observe"); },
      [&](uint64_t n) { for (uint64_t i = 0; i < n; i++) opaque(&ph)->Observe(opaque_double(v[i & 255])); }, 0.5);
  uint64_t count;
  check(pe_histogram_count(h, &count), "count");
  require(count >= 1, "histogram counted");
  pe_histogram_free(h);
}

// prometheus-cpp has no native histograms: its classic observe stands beside ours, without a bar;
// client_golang's native observe is the Go section's row.
void native_histogram_observe() {
  pe_metric_opts opts{};
  opts.struct_size = sizeof opts;
  opts.name = "h";
  pe_native_histogram_opts native{};
  native.struct_size = sizeof native;
  native.bucket_factor = 1.1;
  pe_histogram* h;
  check(pe_histogram_new_native(&opts, nullptr, 0, &native, &h), "pe_histogram_new_native");
  auto reg = cpp_registry();
  auto& ph = prometheus::BuildHistogram().Name("h").Help("h").Register(*reg).Add({}, kBounds);
  const double* v = kValues.data();
  per_call_row(
      "native histogram observe (factor 1.1; prometheus-cpp: classic)",
      [&](uint64_t n) { for (uint64_t i = 0; i < n; i++) check(pe_histogram_observe(opaque(h), opaque_double(v[i & 255])), "observe"); },
      [&](uint64_t n) { for (uint64_t i = 0; i < n; i++) opaque(&ph)->Observe(opaque_double(v[i & 255])); }, 0);
  uint64_t count;
  size_t buckets = 0;
  check(pe_histogram_count(h, &count), "count");
  check(pe_histogram_native_state(h, nullptr, nullptr, nullptr, &buckets, nullptr), "native state");
  require(count >= 1 && buckets >= 1, "native histogram counted");
  pe_histogram_free(h);
}

void summary_observe() {
  pe_summary* s;
  check(pe_summary_new("s", "h", nullptr, 0, &s), "pe_summary_new");
  auto reg = cpp_registry();
  // Our defaults: three objectives, a 10-minute window in 5 age buckets.
  prometheus::Summary::Quantiles q = {{0.5, 0.05}, {0.9, 0.01}, {0.99, 0.001}};
  auto& ps = prometheus::BuildSummary().Name("s").Help("h").Register(*reg).Add(
      {}, q, std::chrono::seconds(600), 5);
  const double* v = kValues.data();
  per_call_row(
      "summary observe (3 quantiles)",
      [&](uint64_t n) { for (uint64_t i = 0; i < n; i++) check(pe_summary_observe(opaque(s), opaque_double(v[i & 255])), "observe"); },
      [&](uint64_t n) { for (uint64_t i = 0; i < n; i++) opaque(&ps)->Observe(opaque_double(v[i & 255])); }, 0.5);
  uint64_t count;
  check(pe_summary_count(s, &count), "count");
  require(count >= 1, "summary counted");
  pe_summary_free(s);
}

struct Labelled {
  pe_counter* ours;
  std::shared_ptr<prometheus::Registry> reg = cpp_registry();
  prometheus::Family<prometheus::Counter>* peer;

  Labelled() {
    check(pe_counter_new("requests", "h", kLabelNames, 2, &ours), "pe_counter_new");
    peer = &prometheus::BuildCounter().Name("requests").Help("h").Register(*reg);
    for (auto m : kMethods)
      for (auto p : kPaths) {
        const char* values[2] = {m, p};
        check(pe_counter_inc_labels(ours, values, 2, 1.0), "inc_labels");
        peer->Add({{"method", m}, {"path", p}}).Increment();
      }
  }
  ~Labelled() { pe_counter_free(ours); }
};

void labelled_inc() {
  Labelled l;
  per_call_row(
      "labelled lookup + inc (2 string labels)",
      [&](uint64_t n) {
        for (uint64_t i = 0; i < n; i++) {
          const char* values[2] = {kMethods[(i >> 2) & 3], kPaths[i & 3]};
          check(pe_counter_inc_labels(opaque(l.ours), values, 2, 1.0), "inc_labels");
        }
      },
      [&](uint64_t n) {
        for (uint64_t i = 0; i < n; i++) {
          opaque(l.peer)->Add({{"method", kMethods[(i >> 2) & 3]}, {"path", kPaths[i & 3]}}).Increment();
        }
      },
      0.15);
}

void bound_inc() {
  Labelled l;
  const char* values[2] = {kMethods[1], kPaths[1]};
  pe_counter* child;
  check(pe_counter_labels(l.ours, values, 2, &child), "pe_counter_labels");
  auto& peer = l.peer->Add({{"method", kMethods[1]}, {"path", kPaths[1]}});
  per_call_row(
      "bound child inc",
      [&](uint64_t n) { for (uint64_t i = 0; i < n; i++) check(pe_counter_inc(opaque(child), 1.0), "inc"); },
      [&](uint64_t n) { for (uint64_t i = 0; i < n; i++) opaque(&peer)->Increment(); }, 0.5);
  pe_counter_free(child);
}

void contended(int threads) {
  pe_counter* c;
  check(pe_counter_new("c", "h", nullptr, 0, &c), "pe_counter_new");
  auto reg = cpp_registry();
  auto& pc = prometheus::BuildCounter().Name("c").Help("h").Register(*reg).Add({});
  std::vector<Op> ops = {
      [&](uint64_t n) { for (uint64_t i = 0; i < n; i++) check(pe_counter_inc(opaque(c), 1.0), "inc"); },
      [&](uint64_t n) { for (uint64_t i = 0; i < n; i++) opaque(&pc)->Increment(); },
  };
  auto r = throughput(threads, ops);
  int rounds = settings.smoke ? 1 : settings.thread_samples + 1;
  double expected = static_cast<double>(rounds) * threads * settings.thread_ops;
  double got;
  check(pe_counter_get(c, &got), "get");
  require(got == expected, "sharded counter lost no increment");
  require(pc.Value() == expected, "prometheus-cpp counter lost no increment");
  add_row({threads == 1 ? "counter inc, 1 thread" : "counter inc, 2 threads on one counter", "Mops/s",
           true, r[0], r[1], threads == 1 ? 0.0 : 4.0, ""});
  pe_counter_free(c);
}

size_t count_lines(const char* text, size_t len, const char* prefix) {
  size_t n = 0, plen = std::strlen(prefix);
  const char* end = text + len;
  for (const char* line = text; line < end;) {
    const char* nl = static_cast<const char*>(std::memchr(line, '\n', end - line));
    if (!nl) nl = end;
    if (static_cast<size_t>(nl - line) >= plen && std::memcmp(line, prefix, plen) == 0) n++;
    line = nl + 1;
  }
  return n;
}

void encode(pe_format format) {
  size_t n = settings.smoke ? 100 : 10000;
  pe_registry* reg;
  check(pe_registry_new(&reg), "pe_registry_new");
  pe_counter* ours;
  check(pe_counter_new("http_requests", "Requests served.", kLabelNames, 2, &ours), "pe_counter_new");
  check(pe_registry_register_counter(reg, ours), "register");
  auto preg = cpp_registry();
  auto& peer = prometheus::BuildCounter().Name("http_requests_total").Help("Requests served.").Register(*preg);
  for (size_t i = 0; i < n; i++) {
    std::string path = "/api/v1/item/" + std::to_string(i);
    const char* values[2] = {kMethods[i % 4], path.c_str()};
    check(pe_counter_inc_labels(ours, values, 2, static_cast<double>(i * 7)), "inc_labels");
    peer.Add({{"method", kMethods[i % 4]}, {"path", path}}).Increment(static_cast<double>(i * 7));
  }
  size_t ours_lines = 0, peer_lines = 0;
  std::vector<Op> ops = {
      [&](uint64_t iters) {
        for (uint64_t i = 0; i < iters; i++) {
          char* text;
          size_t len;
          check(pe_registry_expose(reg, format, &text, &len), "pe_registry_expose");
          if (i == 0) ours_lines = count_lines(text, len, "http_requests_total{");
          pe_string_free(text);
        }
      },
      [&](uint64_t iters) {
        for (uint64_t i = 0; i < iters; i++) {
          std::string text = prometheus::TextSerializer().Serialize(preg->Collect());
          if (i == 0) peer_lines = count_lines(text.data(), text.size(), "http_requests_total{");
        }
      },
  };
  auto r = per_call(ops, true);
  require(ours_lines == n && peer_lines == n, "every series encoded");
  bool om = format == PE_FORMAT_OPENMETRICS;
  add_row({om ? "collect + encode 10k series, OpenMetrics" : "collect + encode 10k series, text 0.0.4",
           "ms", false, r[0] / 1e6, r[1] / 1e6, 0.1,
           om ? "prometheus-cpp has no OpenMetrics: its text 0.0.4 is the reference"
              : "ours returns a new C string each time, freed with pe_string_free"});
  pe_counter_free(ours);
  pe_registry_free(reg);
}

// A keep-alive HTTP/1.1 client for one loopback port: GET /metrics, read the whole response
// (Content-Length or chunked), return the body's size.
class Scraper {
 public:
  explicit Scraper(int port) : port_(port) { connect_(); }
  ~Scraper() {
    if (fd_ >= 0) close(fd_);
  }

  size_t scrape() {
    static const char request[] =
        "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/plain;version=0.0.4\r\n\r\n";
    buf_.clear();
    // A server may close an idle or much-used keep-alive connection: then reconnect once.
    if (!send_all(request, sizeof request - 1) || !fill()) {
      connect_();
      buf_.clear();
      require(send_all(request, sizeof request - 1), "send the request");
      require(fill(), "read the response");
    }
    size_t head_end;
    while ((head_end = buf_.find("\r\n\r\n")) == std::string::npos) require(fill(), "read the head");
    std::string head = buf_.substr(0, head_end);
    for (auto& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    require(head.compare(0, 12, "http/1.1 200") == 0, "status 200");
    size_t pos = head_end + 4, body = 0;
    size_t cl = head.find("content-length:");
    if (cl != std::string::npos) {
      size_t len = std::strtoull(head.c_str() + cl + 15, nullptr, 10);
      while (buf_.size() < pos + len) require(fill(), "read the body");
      body = len;
    } else {
      require(head.find("transfer-encoding: chunked") != std::string::npos, "a framed body");
      for (;;) {
        size_t eol;
        while ((eol = buf_.find("\r\n", pos)) == std::string::npos) require(fill(), "read a chunk size");
        size_t len = std::strtoull(buf_.c_str() + pos, nullptr, 16);
        pos = eol + 2;
        while (buf_.size() < pos + len + 2) require(fill(), "read a chunk");
        pos += len + 2;
        body += len;
        if (len == 0) break;
      }
    }
    if (head.find("connection: close") != std::string::npos) connect_();
    return body;
  }

 private:
  void connect_() {
    if (fd_ >= 0) close(fd_);
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port_));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    require(::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0, "connect");
  }
  bool send_all(const char* data, size_t len) {
    while (len > 0) {
      ssize_t n = ::send(fd_, data, len, MSG_NOSIGNAL);
      if (n <= 0) return false;
      data += n;
      len -= static_cast<size_t>(n);
    }
    return true;
  }
  bool fill() {
    char chunk[65536];
    ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buf_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  int port_;
  int fd_ = -1;
  std::string buf_;
};

void scrape() {
  size_t n = settings.smoke ? 100 : 10000;
  pe_registry* reg;
  check(pe_registry_new(&reg), "pe_registry_new");
  pe_counter* ours;
  check(pe_counter_new("http_requests", "Requests served.", kLabelNames, 2, &ours), "pe_counter_new");
  check(pe_registry_register_counter(reg, ours), "register");
  auto preg = cpp_registry();
  auto& peer = prometheus::BuildCounter().Name("http_requests_total").Help("Requests served.").Register(*preg);
  for (size_t i = 0; i < n; i++) {
    std::string path = "/api/v1/item/" + std::to_string(i);
    const char* values[2] = {kMethods[i % 4], path.c_str()};
    check(pe_counter_inc_labels(ours, values, 2, static_cast<double>(i * 7)), "inc_labels");
    peer.Add({{"method", kMethods[i % 4]}, {"path", path}}).Increment(static_cast<double>(i * 7));
  }
  pe_exporter_options opts = {};
  opts.struct_size = sizeof opts;
  opts.address = "127.0.0.1:0";
  pe_exporter* exporter;
  check(pe_exporter_start(&opts, reg, &exporter), "pe_exporter_start");
  uint16_t our_port;
  check(pe_exporter_port(exporter, &our_port), "pe_exporter_port");
  prometheus::Exposer exposer("127.0.0.1:0");
  exposer.RegisterCollectable(preg);
  int peer_port = exposer.GetListeningPorts().at(0);
  {
    Scraper ours_client(our_port), peer_client(peer_port);
    size_t ours_bytes = 0, peer_bytes = 0;
    std::vector<Op> ops = {
        [&](uint64_t iters) { for (uint64_t i = 0; i < iters; i++) ours_bytes = ours_client.scrape(); },
        [&](uint64_t iters) { for (uint64_t i = 0; i < iters; i++) peer_bytes = peer_client.scrape(); },
    };
    auto r = per_call(ops, true);
    require(ours_bytes > n * 40 && peer_bytes > n * 40, "whole expositions scraped");
    add_row({"scrape 10k series over HTTP (text 0.0.4, keep-alive)", "ms", false, r[0] / 1e6, r[1] / 1e6, 0,
             "pe_exporter (ours) vs prometheus-cpp's Exposer (civetweb), loopback, no gzip"});
  }
  pe_exporter_stop(exporter);
  pe_counter_free(ours);
  pe_registry_free(reg);
}

void memory() {
  size_t n = settings.smoke ? 100 : 100000;
  std::vector<std::string> paths;
  for (size_t i = 0; i < n; i++) paths.push_back("/api/v1/item/" + std::to_string(i));

  size_t before = heap_in_use();
  pe_counter* ours;
  check(pe_counter_new("requests", "h", kLabelNames, 2, &ours), "pe_counter_new");
  for (size_t i = 0; i < n; i++) {
    const char* values[2] = {kMethods[i % 4], paths[i].c_str()};
    check(pe_counter_inc_labels(ours, values, 2, 1.0), "inc_labels");
  }
  double ours_bytes = static_cast<double>(heap_in_use() - before) / n;
  pe_counter_free(ours);

  before = heap_in_use();
  {
    auto reg = cpp_registry();
    auto& peer = prometheus::BuildCounter().Name("requests").Help("h").Register(*reg);
    for (size_t i = 0; i < n; i++) peer.Add({{"method", kMethods[i % 4]}, {"path", paths[i]}}).Increment();
    double peer_bytes = static_cast<double>(heap_in_use() - before) / n;
    add_row({"memory per series, counter family of 100k children", "B", false, ours_bytes, peer_bytes, 0,
             "heap in use (mallinfo2) after creating the children, over their number"});
  }
}

struct Entry {
  const char* key;
  std::function<void()> run;
};

}  // namespace

int main(int argc, char** argv) {
  const char* json = nullptr;
  std::vector<std::string> filter;
  for (int i = 1; i < argc; i++) {
    if (!std::strcmp(argv[i], "--smoke")) {
      settings.smoke = true;
      settings.samples = 1;
      settings.thread_samples = 1;
      settings.thread_ops = 1;
    } else if (!std::strcmp(argv[i], "--json") && i + 1 < argc) {
      json = argv[++i];
    } else {
      filter.push_back(argv[i]);
    }
  }
  std::vector<Entry> entries = {
      {"call_floor", call_floor},
      {"counter_inc", counter_inc},
      {"gauge_set", gauge_set},
      {"histogram_observe", histogram_observe},
      {"native_histogram_observe", native_histogram_observe},
      {"summary_observe", summary_observe},
      {"labelled_inc", labelled_inc},
      {"bound_inc", bound_inc},
      {"contended_1", [] { contended(1); }},
      {"contended_2", [] { contended(2); }},
      {"encode_prometheus", [] { encode(PE_FORMAT_PROMETHEUS); }},
      {"encode_openmetrics", [] { encode(PE_FORMAT_OPENMETRICS); }},
      {"scrape", scrape},
      {"memory", memory},
  };
  for (auto& e : entries) {
    bool wanted = filter.empty();
    for (auto& f : filter) wanted |= std::strstr(e.key, f.c_str()) != nullptr;
    if (wanted) e.run();
  }
  if (json) write_json(json);
  if (settings.smoke) std::printf("smoke (C API, prometheus-cpp): %zu passed, 0 failed\n", rows.size());
  return 0;
}
