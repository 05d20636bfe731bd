// TestKeyPool: pre-generated RSA-2048 keys for unit tests (of any module), so tests do not
// spend most of their time in RSA key generation. FOR TESTS ONLY: the keys are public, in
// sijil/crypto/testdata/keys/. Thread-safe.
#ifndef SIJIL_CRYPTO_TEST_KEYS_H_
#define SIJIL_CRYPTO_TEST_KEYS_H_

#include <functional>
#include <mutex>
#include <vector>

#include "sijil/base/result.h"
#include "sijil/crypto/keys.h"

namespace sijil::crypto {

class TestKeyPool {
 public:
  // Reads $SIJIL_SOURCE_DIR/sijil/crypto/testdata/keys (set by ctest); with no directory the
  // pool is empty and every key is generated.
  TestKeyPool();

  // Each call returns a key no earlier call returned: pooled RSA keys first, then freshly
  // generated ones (and always fresh for other algorithms).
  Result<PrivateKey> Next(KeyAlgorithm algorithm);
  // Next() as a function, for KeyManagerSettings::generate_key and InMemoryKeyStore.
  std::function<Result<PrivateKey>(KeyAlgorithm)> Generator();

 private:
  std::mutex mu_;
  std::vector<PrivateKey> rsa_;
  size_t next_ = 0;
};

}  // namespace sijil::crypto

#endif  // SIJIL_CRYPTO_TEST_KEYS_H_
