#include "sijil/base/metrics.h"

#include <gtest/gtest.h>

namespace sijil {
namespace {

TEST(MetricsTest, RendersTextExposition) {
  Metrics m;
  m.Counter("sijil_test_events_total", "Events seen").Increment(3);
  m.GaugeFamily("sijil_test_depth", "Queue depth").Add({{"queue", "a"}}).Set(7);
  auto& h = m.HistogramFamily("sijil_test_latency_seconds", "Latency")
                .Add({{"route", "/x"}}, Metrics::LatencyBuckets());
  h.Observe(0.002);
  std::string text = m.Render();
  EXPECT_NE(text.find("# TYPE sijil_test_events_total counter"), std::string::npos) << text;
  EXPECT_NE(text.find("sijil_test_events_total 3"), std::string::npos) << text;
  EXPECT_NE(text.find("sijil_test_depth{queue=\"a\"} 7"), std::string::npos) << text;
  EXPECT_NE(text.find("sijil_test_latency_seconds_count{route=\"/x\"} 1"), std::string::npos)
      << text;
}

TEST(MetricsTest, SameNameReturnsSameFamily) {
  Metrics m;
  auto& a = m.CounterFamily("sijil_test_total", "x");
  auto& b = m.CounterFamily("sijil_test_total", "x");
  EXPECT_EQ(&a, &b);
}

}  // namespace
}  // namespace sijil
