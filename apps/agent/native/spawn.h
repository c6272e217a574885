// Check-script spawning of the keepwatch_net addon (spawn.cc).
#pragma once
#include <napi.h>

namespace keepwatch {
void InitSpawn(Napi::Env env, Napi::Object exports);
}
