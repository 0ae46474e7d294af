#pragma once

#include <string>

#include "load/scenario.h"

typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;

namespace tollgate::load {

// The OpenSSL client context one event loop shares across its connections: TLS 1.2+, ALPN
// http/1.1, and verification of the server's certificate chain and name unless turned off.
class TlsContext {
 public:
  // Throws Error when the CA file cannot be loaded.
  TlsContext(const TlsOptions& options, const std::string& server_name);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  // A new client session on a connected non-blocking socket; SNI and the expected host name set.
  SSL* open(int fd) const;

 private:
  SSL_CTX* ctx_ = nullptr;
  std::string server_name_;
  bool verify_ = true;
};

// The reason the last TLS call on this thread failed, for messages.
std::string tls_error_text();

}  // namespace tollgate::load
