// Consumer: background threads that feed one consumer group's messages to a handler.
//
// Each thread fetches a batch, runs the handler on each message and acknowledges it (or
// reports the failure, which schedules a retry or dead-letters the message), then waits for
// new messages when none is due. Stop() (and the destructor) lets handlers in progress finish.
//
// Thread-safety: Start and Stop must not race each other; the handler runs on several
// threads at once when `threads` > 1 (messages of one key never run concurrently).
#ifndef SIJIL_BUS_CONSUMER_H_
#define SIJIL_BUS_CONSUMER_H_

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "sijil/bus/bus.h"

namespace sijil::bus {

struct ConsumerOptions {
  int threads = 1;
  int batch = 16;
  // How often idle threads look for messages published by other processes or due for retry.
  std::chrono::milliseconds poll_interval{200};
};

class Consumer {
 public:
  // `bus` must outlive the consumer; the group must exist (Bus::Subscribe).
  Consumer(Bus& bus, std::string topic, std::string group, Handler handler,
           ConsumerOptions options = {});
  ~Consumer();
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  void Start();
  void Stop();

  // Bus failures seen by the threads (each is retried after poll_interval).
  int64_t errors() const { return errors_.load(); }

 private:
  void Loop();

  Bus& bus_;
  const std::string topic_;
  const std::string group_;
  const Handler handler_;
  const ConsumerOptions options_;
  std::atomic<bool> running_{false};
  std::atomic<int64_t> errors_{0};
  std::vector<std::thread> threads_;
};

}  // namespace sijil::bus

#endif  // SIJIL_BUS_CONSUMER_H_
