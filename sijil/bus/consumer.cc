#include "sijil/bus/consumer.h"

#include <algorithm>

namespace sijil::bus {

Consumer::Consumer(Bus& bus, std::string topic, std::string group, Handler handler,
                   ConsumerOptions options)
    : bus_(bus),
      topic_(std::move(topic)),
      group_(std::move(group)),
      handler_(std::move(handler)),
      options_(options) {}

Consumer::~Consumer() { Stop(); }

void Consumer::Start() {
  if (running_.exchange(true)) return;
  for (int i = 0; i < std::max(1, options_.threads); ++i) {
    threads_.emplace_back([this] { Loop(); });
  }
}

void Consumer::Stop() {
  if (!running_.exchange(false)) return;
  bus_.WakeWaiters(topic_);
  for (auto& t : threads_) t.join();
  threads_.clear();
}

void Consumer::Loop() {
  while (running_.load()) {
    auto handled = ProcessAvailable(bus_, topic_, group_, handler_, std::max(1, options_.batch));
    if (!handled.ok()) ++errors_;
    if (!handled.ok() || *handled == 0) {
      if (!running_.load()) break;
      bus_.WaitForMessages(topic_, options_.poll_interval);
    }
  }
}

}  // namespace sijil::bus
