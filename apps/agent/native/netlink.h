// rtnetlink functions of the keepwatch_net addon (netlink.cc).
#pragma once
#include <napi.h>

namespace keepwatch {
void InitNetlink(Napi::Env env, Napi::Object exports);
}
