#include "sijil/base/metrics.h"

#include <prometheus/text_serializer.h>

#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace sijil {
namespace {

template <typename Fn>
auto OrDie(const std::string& name, Fn fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fatal: metric %s: %s\n", name.c_str(), e.what());
    std::abort();
  }
}

}  // namespace

Metrics::Metrics() : registry_(std::make_shared<prometheus::Registry>()) {}

prometheus::Family<prometheus::Counter>& Metrics::CounterFamily(const std::string& name,
                                                                const std::string& help) {
  return OrDie(name, [&]() -> prometheus::Family<prometheus::Counter>& {
    return prometheus::BuildCounter().Name(name).Help(help).Register(*registry_);
  });
}

prometheus::Family<prometheus::Gauge>& Metrics::GaugeFamily(const std::string& name,
                                                            const std::string& help) {
  return OrDie(name, [&]() -> prometheus::Family<prometheus::Gauge>& {
    return prometheus::BuildGauge().Name(name).Help(help).Register(*registry_);
  });
}

prometheus::Family<prometheus::Histogram>& Metrics::HistogramFamily(const std::string& name,
                                                                    const std::string& help) {
  return OrDie(name, [&]() -> prometheus::Family<prometheus::Histogram>& {
    return prometheus::BuildHistogram().Name(name).Help(help).Register(*registry_);
  });
}

prometheus::Counter& Metrics::Counter(const std::string& name, const std::string& help) {
  return CounterFamily(name, help).Add({});
}

prometheus::Gauge& Metrics::Gauge(const std::string& name, const std::string& help) {
  return GaugeFamily(name, help).Add({});
}

const prometheus::Histogram::BucketBoundaries& Metrics::LatencyBuckets() {
  static const auto* buckets = new prometheus::Histogram::BucketBoundaries{
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10};
  return *buckets;
}

std::string Metrics::Render() const {
  std::ostringstream out;
  prometheus::TextSerializer serializer;
  serializer.Serialize(out, registry_->Collect());
  return out.str();
}

}  // namespace sijil
