// Metrics: a Prometheus registry (prometheus-cpp core) and its text exposition.
//
// Components take a `Metrics&` and create their families once at construction (names
// `sijil_<module>_<what>_<unit>`), then update the returned counters/gauges/histograms on
// the hot path, which prometheus-cpp makes lock-free for counters and gauges. The HTTP
// server serves Render() at /metrics; no separate exposer thread or port is used.
//
// Thread-safety: all methods are thread-safe (prometheus-cpp's registry and metrics are).
// Family creation throws inside prometheus-cpp on a bad name; these helpers only accept
// names declared in code, so a bad one is a programming error and aborts with the name.
#ifndef SIJIL_BASE_METRICS_H_
#define SIJIL_BASE_METRICS_H_

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <memory>
#include <string>
#include <vector>

namespace sijil {

class Metrics {
 public:
  Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Returns the family `name`, creating it on first use (same name, same type: same family).
  prometheus::Family<prometheus::Counter>& CounterFamily(const std::string& name,
                                                         const std::string& help);
  prometheus::Family<prometheus::Gauge>& GaugeFamily(const std::string& name,
                                                     const std::string& help);
  prometheus::Family<prometheus::Histogram>& HistogramFamily(const std::string& name,
                                                             const std::string& help);

  // Shorthands for an unlabelled metric.
  prometheus::Counter& Counter(const std::string& name, const std::string& help);
  prometheus::Gauge& Gauge(const std::string& name, const std::string& help);

  // Bucket boundaries (seconds) suited to request latencies from 100 µs to 10 s.
  static const prometheus::Histogram::BucketBoundaries& LatencyBuckets();

  // The Prometheus text exposition format (version 0.0.4) of every family.
  std::string Render() const;

  prometheus::Registry& registry() { return *registry_; }

 private:
  std::shared_ptr<prometheus::Registry> registry_;
};

}  // namespace sijil

#endif  // SIJIL_BASE_METRICS_H_
