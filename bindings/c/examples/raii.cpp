// RAII over the C API: each handle lives in a std::unique_ptr whose deleter is the matching
// pe_*_free(), and a failed call throws with the library's message. Nothing here holds metric
// logic; it only manages lifetimes and turns statuses into exceptions.
//
// Build against an installed copy:
//   c++ -std=c++17 raii.cpp $(pkg-config --cflags --libs prometheus_emulator) -o raii
#include <cstdio>
#include <initializer_list>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "prometheus_emulator.h"

namespace pe {

// Throws when a call failed, carrying the message of pe_last_error() (which names the function).
inline void check(pe_status status) {
    if (status != PE_OK) {
        throw std::runtime_error(pe_last_error());
    }
}

template <typename T, void (*Free)(T *)>
struct Deleter {
    void operator()(T *handle) const { Free(handle); }
};

template <typename T, void (*Free)(T *)>
using Owned = std::unique_ptr<T, Deleter<T, Free>>;

// The label values of one call, as the C API takes them.
class Labels {
  public:
    Labels(std::initializer_list<const char *> values) : values_(values) {}
    const char *const *data() const { return values_.data(); }
    size_t size() const { return values_.size(); }

  private:
    std::vector<const char *> values_;
};

class Registry {
  public:
    Registry() {
        pe_registry *raw = nullptr;
        check(pe_registry_new(&raw));
        handle_.reset(raw);
    }
    pe_registry *get() const { return handle_.get(); }

    std::string expose(pe_format format) const {
        char *text = nullptr;
        size_t len = 0;
        check(pe_registry_expose(handle_.get(), format, &text, &len));
        Owned<char, pe_string_free> owned(text);
        return std::string(owned.get(), len);
    }

  private:
    Owned<pe_registry, pe_registry_free> handle_;
};

class Counter {
  public:
    Counter(const char *name, const char *help, Labels names = {}) {
        pe_counter *raw = nullptr;
        check(pe_counter_new(name, help, names.data(), names.size(), &raw));
        handle_.reset(raw);
    }

    // A bound child: the hot path, updated with no lookup.
    Counter labels(Labels values) const {
        pe_counter *raw = nullptr;
        check(pe_counter_labels(handle_.get(), values.data(), values.size(), &raw));
        return Counter(raw);
    }

    void inc(double amount = 1.0) { check(pe_counter_inc(handle_.get(), amount)); }

    double value() const {
        double out = 0;
        check(pe_counter_get(handle_.get(), &out));
        return out;
    }

    void register_in(Registry &registry) {
        check(pe_registry_register_counter(registry.get(), handle_.get()));
    }

  private:
    explicit Counter(pe_counter *raw) : handle_(raw) {}
    Owned<pe_counter, pe_counter_free> handle_;
};

class Histogram {
  public:
    Histogram(const char *name, const char *help, std::vector<double> buckets, Labels names = {}) {
        pe_histogram *raw = nullptr;
        check(pe_histogram_new(name, help, names.data(), names.size(), buckets.data(),
                               buckets.size(), &raw));
        handle_.reset(raw);
    }

    void observe(double value, Labels values) {
        check(pe_histogram_observe_labels(handle_.get(), values.data(), values.size(), value));
    }

    uint64_t count() const {
        uint64_t out = 0;
        check(pe_histogram_count(handle_.get(), &out));
        return out;
    }

    void register_in(Registry &registry) {
        check(pe_registry_register_histogram(registry.get(), handle_.get()));
    }

  private:
    Owned<pe_histogram, pe_histogram_free> handle_;
};

}  // namespace pe

int main() {
    try {
        pe::Registry registry;
        pe::Counter requests("http_requests_total", "Total HTTP requests", {"method", "status"});
        pe::Histogram latency("http_request_duration_seconds", "Request latency",
                              {0.05, 0.1, 0.5, 1.0}, {"endpoint"});
        requests.register_in(registry);
        latency.register_in(registry);

        pe::Counter get_ok = requests.labels({"GET", "200"});
        for (int i = 0; i < 10; i++) {
            get_ok.inc();
            latency.observe(0.02 * i, {"/api/users"});
        }
        requests.labels({"POST", "201"}).inc(2);

        try {
            get_ok.inc(-1);
        } catch (const std::runtime_error &error) {
            std::printf("refused: %s\n", error.what());
        }
        std::printf("GET 200: %g, sum over children: %g, observations: %llu\n", get_ok.value(),
                    requests.value(), static_cast<unsigned long long>(latency.count()));
        std::fputs(registry.expose(PE_FORMAT_PROMETHEUS).c_str(), stdout);
        // Every handle is released here, in reverse order of creation.
    } catch (const std::exception &error) {
        std::fprintf(stderr, "error: %s\n", error.what());
        return 1;
    }
    return 0;
}
