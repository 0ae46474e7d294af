#include "load/tls.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "util/error.h"

namespace tollgate::load {

std::string tls_error_text() {
  unsigned long e = ERR_get_error();
  if (e == 0) return "TLS error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return buf;
}

TlsContext::TlsContext(const TlsOptions& options, const std::string& server_name)
    : server_name_(server_name), verify_(options.verify) {
  ctx_ = SSL_CTX_new(TLS_client_method());
  if (!ctx_) throw Error("cannot create a TLS context: " + tls_error_text());
  SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
  static const unsigned char kAlpn[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  SSL_CTX_set_alpn_protos(ctx_, kAlpn, sizeof kAlpn);
  // Resumed sessions make reconnects cheap, as a browser's would be.
  SSL_CTX_set_session_cache_mode(ctx_, SSL_SESS_CACHE_CLIENT);
  if (verify_) {
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
    int ok = options.ca_file.empty()
                 ? SSL_CTX_set_default_verify_paths(ctx_)
                 : SSL_CTX_load_verify_locations(ctx_, options.ca_file.c_str(), nullptr);
    if (ok != 1) {
      std::string why = tls_error_text();
      SSL_CTX_free(ctx_);
      throw Error("cannot load TLS CA certificates" +
                  (options.ca_file.empty() ? std::string() : " from " + options.ca_file) + ": " +
                  why);
    }
  } else {
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_NONE, nullptr);
  }
}

TlsContext::~TlsContext() {
  SSL_CTX_free(ctx_);
}

SSL* TlsContext::open(int fd) const {
  SSL* ssl = SSL_new(ctx_);
  if (!ssl) return nullptr;
  SSL_set_fd(ssl, fd);
  SSL_set_connect_state(ssl);
  in6_addr ip6;
  in_addr ip4;
  bool is_ip = inet_pton(AF_INET, server_name_.c_str(), &ip4) == 1 ||
               inet_pton(AF_INET6, server_name_.c_str(), &ip6) == 1;
  if (!is_ip) SSL_set_tlsext_host_name(ssl, server_name_.c_str());  // SNI takes names only
  if (verify_) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    if (is_ip)
      X509_VERIFY_PARAM_set1_ip_asc(param, server_name_.c_str());
    else
      X509_VERIFY_PARAM_set1_host(param, server_name_.c_str(), 0);
  }
  return ssl;
}

}  // namespace tollgate::load
