// The request side of the authority's HTTP front (internal to http_server.cc): libmicrohttpd
// callbacks that check each request against RequestLimits, route it to AuthorityService,
// the exports directory or /healthz, and log one line when it is done.
#pragma once

#include <microhttpd.h>

#include <functional>
#include <string>

#include "authority/http/http_server.h"
#include "authority/service.h"

namespace jejak::authority {

// What the daemon's threads share; outlives the daemon.
struct Front {
    AuthorityService& service;
    std::string exports_dir;
    ServeOptions options;
    // Told when a request on a connection is done (the per-request deadline restarts).
    std::function<void(MHD_Connection*)> request_done;
};

// MHD_AccessHandlerCallback; `cls` is the Front.
MHD_Result HandleRequest(void* cls, MHD_Connection* connection, const char* url,
                         const char* method, const char* version, const char* upload_data,
                         size_t* upload_data_size, void** req_cls);

// MHD_RequestCompletedCallback: writes the request's log line and frees its state.
void RequestCompleted(void* cls, MHD_Connection* connection, void** req_cls,
                      MHD_RequestTerminationCode toe);

}  // namespace jejak::authority
