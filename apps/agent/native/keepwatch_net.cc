// keepwatch_net: the agent's thin layer over the Linux socket calls VRRP needs and Node lacks.
// Raw IP protocol 112 sockets (IPv4 and IPv6) bound to one interface, with multicast membership,
// TTL / hop limit 255 on send, and recvmsg() that reports the TTL / hop limit, source,
// destination and interface of every packet (RFC 5798 5.1.1.3 / 7.1 needs the TTL checked);
// AF_PACKET frames for gratuitous ARP and unsolicited neighbour advertisements; and a uv_poll
// watcher so the JS thread is told when a socket is readable. Policy (what to send, what to
// accept) lives in TypeScript; this file only does syscalls and reports errno with context.
#include <napi.h>
#include <uv.h>

#include "netlink.h"
#include "spawn.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <string>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

namespace {

constexpr int VRRP_PROTOCOL = 112;
constexpr int VRRP_TTL = 255;
constexpr int IPTOS_INTERNETCONTROL = 0xc0;  // keepalived sends VRRP with precedence 6

[[noreturn]] void ThrowErrno(Napi::Env env, const std::string& what) {
  throw Napi::Error::New(env, what + ": " + std::strerror(errno));
}

void SetOpt(Napi::Env env, int fd, int level, int name, const void* value, socklen_t len, const char* what) {
  if (setsockopt(fd, level, name, value, len) < 0) {
    int saved = errno;
    close(fd);
    errno = saved;
    ThrowErrno(env, std::string("setsockopt(") + what + ")");
  }
}

void SetInt(Napi::Env env, int fd, int level, int name, int value, const char* what) {
  SetOpt(env, fd, level, name, &value, sizeof value, what);
}

unsigned IfIndex(Napi::Env env, const std::string& ifname) {
  unsigned index = if_nametoindex(ifname.c_str());
  if (index == 0) ThrowErrno(env, "interface " + ifname);
  return index;
}

// openVrrp(family: 4|6, ifname: string, joinMulticast: boolean): number (fd)
Napi::Value OpenVrrp(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int family = info[0].As<Napi::Number>().Int32Value();
  std::string ifname = info[1].As<Napi::String>().Utf8Value();
  bool join = info[2].As<Napi::Boolean>().Value();
  if (family != 4 && family != 6) throw Napi::TypeError::New(env, "family must be 4 or 6");
  if (ifname.empty() || ifname.size() >= IFNAMSIZ) throw Napi::TypeError::New(env, "bad interface name");
  unsigned index = IfIndex(env, ifname);

  int fd = socket(family == 4 ? AF_INET : AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, VRRP_PROTOCOL);
  if (fd < 0) ThrowErrno(env, "socket(raw, 112) (needs CAP_NET_RAW)");
  SetOpt(env, fd, SOL_SOCKET, SO_BINDTODEVICE, ifname.c_str(), ifname.size(), "SO_BINDTODEVICE");

  if (family == 4) {
    SetInt(env, fd, IPPROTO_IP, IP_PKTINFO, 1, "IP_PKTINFO");
    SetInt(env, fd, IPPROTO_IP, IP_MULTICAST_TTL, VRRP_TTL, "IP_MULTICAST_TTL");
    SetInt(env, fd, IPPROTO_IP, IP_TTL, VRRP_TTL, "IP_TTL");
    SetInt(env, fd, IPPROTO_IP, IP_MULTICAST_LOOP, 0, "IP_MULTICAST_LOOP");
    SetInt(env, fd, IPPROTO_IP, IP_TOS, IPTOS_INTERNETCONTROL, "IP_TOS");
    ip_mreqn mreq{};
    mreq.imr_ifindex = static_cast<int>(index);
    SetOpt(env, fd, IPPROTO_IP, IP_MULTICAST_IF, &mreq, sizeof mreq, "IP_MULTICAST_IF");
    if (join) {
      inet_pton(AF_INET, "224.0.0.18", &mreq.imr_multiaddr);
      SetOpt(env, fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq, sizeof mreq, "IP_ADD_MEMBERSHIP 224.0.0.18");
    }
  } else {
    SetInt(env, fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1, "IPV6_RECVHOPLIMIT");
    SetInt(env, fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1, "IPV6_RECVPKTINFO");
    SetInt(env, fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, VRRP_TTL, "IPV6_MULTICAST_HOPS");
    SetInt(env, fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, VRRP_TTL, "IPV6_UNICAST_HOPS");
    SetInt(env, fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0, "IPV6_MULTICAST_LOOP");
    SetInt(env, fd, IPPROTO_IPV6, IPV6_TCLASS, IPTOS_INTERNETCONTROL, "IPV6_TCLASS");
    int idx = static_cast<int>(index);
    SetInt(env, fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, idx, "IPV6_MULTICAST_IF");
    // No IPV6_CHECKSUM: the codec computes and verifies the v3 checksum itself, so a packet with
    // a bad checksum reaches the agent and is counted as a drop instead of vanishing in the kernel.
    if (join) {
      ipv6_mreq mreq{};
      inet_pton(AF_INET6, "ff02::12", &mreq.ipv6mr_multiaddr);
      mreq.ipv6mr_interface = index;
      SetOpt(env, fd, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &mreq, sizeof mreq, "IPV6_ADD_MEMBERSHIP ff02::12");
    }
  }
  return Napi::Number::New(env, fd);
}

// recvVrrp(fd, family): null | { data: Buffer, src, dst, ttl, ifindex }
Napi::Value RecvVrrp(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = info[0].As<Napi::Number>().Int32Value();
  int family = info[1].As<Napi::Number>().Int32Value();
  unsigned char buf[2048];
  unsigned char control[256];
  sockaddr_storage from{};
  iovec iov{buf, sizeof buf};
  msghdr msg{};
  msg.msg_name = &from;
  msg.msg_namelen = sizeof from;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n = recvmsg(fd, &msg, MSG_DONTWAIT);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return env.Null();
    ThrowErrno(env, "recvmsg");
  }
  char src[INET6_ADDRSTRLEN] = "";
  char dst[INET6_ADDRSTRLEN] = "";
  int ttl = -1;
  int ifindex = 0;
  const unsigned char* payload = buf;
  size_t len = static_cast<size_t>(n);
  bool truncated = (msg.msg_flags & MSG_TRUNC) != 0;

  if (family == 4) {
    // A raw IPv4 socket delivers the IP header: TTL, source and destination come from it.
    if (len < 20) return env.Null();
    size_t ihl = static_cast<size_t>(buf[0] & 0x0f) * 4;
    if (ihl < 20 || ihl > len) return env.Null();
    ttl = buf[8];
    inet_ntop(AF_INET, buf + 12, src, sizeof src);
    inet_ntop(AF_INET, buf + 16, dst, sizeof dst);
    payload = buf + ihl;
    len -= ihl;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
        in_pktinfo pi;
        std::memcpy(&pi, CMSG_DATA(c), sizeof pi);
        ifindex = pi.ipi_ifindex;
      }
    }
  } else {
    // A raw IPv6 socket never delivers the header: hop limit and destination come as ancillary data.
    auto* s6 = reinterpret_cast<sockaddr_in6*>(&from);
    inet_ntop(AF_INET6, &s6->sin6_addr, src, sizeof src);
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level != IPPROTO_IPV6) continue;
      if (c->cmsg_type == IPV6_HOPLIMIT) {
        std::memcpy(&ttl, CMSG_DATA(c), sizeof ttl);
      } else if (c->cmsg_type == IPV6_PKTINFO) {
        in6_pktinfo pi;
        std::memcpy(&pi, CMSG_DATA(c), sizeof pi);
        inet_ntop(AF_INET6, &pi.ipi6_addr, dst, sizeof dst);
        ifindex = static_cast<int>(pi.ipi6_ifindex);
      }
    }
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("data", Napi::Buffer<unsigned char>::Copy(env, payload, len));
  out.Set("src", src);
  out.Set("dst", dst);
  out.Set("ttl", ttl);
  out.Set("ifindex", ifindex);
  out.Set("truncated", truncated);
  return out;
}

// sendVrrp(fd, family, ifindex, src: string | null, dst: string, data: Buffer): void
Napi::Value SendVrrp(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = info[0].As<Napi::Number>().Int32Value();
  int family = info[1].As<Napi::Number>().Int32Value();
  int ifindex = info[2].As<Napi::Number>().Int32Value();
  bool hasSrc = info[3].IsString();
  std::string src = hasSrc ? info[3].As<Napi::String>().Utf8Value() : "";
  std::string dst = info[4].As<Napi::String>().Utf8Value();
  Napi::Buffer<unsigned char> data = info[5].As<Napi::Buffer<unsigned char>>();

  iovec iov{data.Data(), data.Length()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) unsigned char control[CMSG_SPACE(sizeof(in6_pktinfo))] = {};
  sockaddr_in to4{};
  sockaddr_in6 to6{};
  if (family == 4) {
    to4.sin_family = AF_INET;
    if (inet_pton(AF_INET, dst.c_str(), &to4.sin_addr) != 1) throw Napi::TypeError::New(env, "bad IPv4 destination " + dst);
    msg.msg_name = &to4;
    msg.msg_namelen = sizeof to4;
    // The source is the instance's own address (keepalived's mcast_src_ip / primary address),
    // not whatever the routing table would pick once a VIP sits on the interface.
    msg.msg_control = control;
    msg.msg_controllen = CMSG_SPACE(sizeof(in_pktinfo));
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = IPPROTO_IP;
    c->cmsg_type = IP_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof(in_pktinfo));
    in_pktinfo pi{};
    pi.ipi_ifindex = ifindex;
    if (hasSrc && inet_pton(AF_INET, src.c_str(), &pi.ipi_spec_dst) != 1) throw Napi::TypeError::New(env, "bad IPv4 source " + src);
    std::memcpy(CMSG_DATA(c), &pi, sizeof pi);
  } else {
    to6.sin6_family = AF_INET6;
    if (inet_pton(AF_INET6, dst.c_str(), &to6.sin6_addr) != 1) throw Napi::TypeError::New(env, "bad IPv6 destination " + dst);
    to6.sin6_scope_id = static_cast<uint32_t>(ifindex);
    msg.msg_name = &to6;
    msg.msg_namelen = sizeof to6;
    msg.msg_control = control;
    msg.msg_controllen = CMSG_SPACE(sizeof(in6_pktinfo));
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = IPPROTO_IPV6;
    c->cmsg_type = IPV6_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof(in6_pktinfo));
    in6_pktinfo pi{};
    pi.ipi6_ifindex = static_cast<unsigned>(ifindex);
    if (hasSrc && inet_pton(AF_INET6, src.c_str(), &pi.ipi6_addr) != 1) throw Napi::TypeError::New(env, "bad IPv6 source " + src);
    std::memcpy(CMSG_DATA(c), &pi, sizeof pi);
  }
  if (sendmsg(fd, &msg, 0) < 0) ThrowErrno(env, "sendmsg to " + dst);
  return env.Undefined();
}

// sendFrame(ifname, frame: Buffer): void — one Ethernet frame as given (AF_PACKET).
Napi::Value SendFrame(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string ifname = info[0].As<Napi::String>().Utf8Value();
  Napi::Buffer<unsigned char> frame = info[1].As<Napi::Buffer<unsigned char>>();
  if (frame.Length() < ETH_HLEN) throw Napi::TypeError::New(env, "frame shorter than an Ethernet header");
  unsigned index = IfIndex(env, ifname);
  // One send-only socket for the process (protocol 0: it receives nothing): closing an AF_PACKET
  // socket waits for an RCU grace period (packet_release → synchronize_net, 15-25 ms here), which
  // blocked the event loop per frame — a GARP burst for 200 instances stalled their adverts.
  static int fd = -1;
  if (fd < 0) fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
  if (fd < 0) ThrowErrno(env, "socket(AF_PACKET) (needs CAP_NET_RAW)");
  sockaddr_ll to{};
  to.sll_family = AF_PACKET;
  to.sll_ifindex = static_cast<int>(index);
  to.sll_halen = ETH_ALEN;
  std::memcpy(&to.sll_protocol, frame.Data() + 12, 2);
  std::memcpy(to.sll_addr, frame.Data(), ETH_ALEN);
  ssize_t n = sendto(fd, frame.Data(), frame.Length(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
  if (n < 0) ThrowErrno(env, "sendto(AF_PACKET) on " + ifname);
  return env.Undefined();
}

// interfaceInfo(ifname): { index, mac, up }
Napi::Value InterfaceInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string ifname = info[0].As<Napi::String>().Utf8Value();
  if (ifname.empty() || ifname.size() >= IFNAMSIZ) throw Napi::TypeError::New(env, "bad interface name");
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) ThrowErrno(env, "socket");
  ifreq req{};
  std::strncpy(req.ifr_name, ifname.c_str(), IFNAMSIZ - 1);
  if (ioctl(fd, SIOCGIFHWADDR, &req) < 0) {
    int saved = errno;
    close(fd);
    errno = saved;
    ThrowErrno(env, "SIOCGIFHWADDR " + ifname);
  }
  char mac[18];
  auto* hw = reinterpret_cast<unsigned char*>(req.ifr_hwaddr.sa_data);
  std::snprintf(mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x", hw[0], hw[1], hw[2], hw[3], hw[4], hw[5]);
  bool up = false;
  if (ioctl(fd, SIOCGIFFLAGS, &req) == 0) up = (req.ifr_flags & IFF_UP) && (req.ifr_flags & IFF_RUNNING);
  close(fd);
  Napi::Object out = Napi::Object::New(env);
  out.Set("index", static_cast<double>(IfIndex(env, ifname)));
  out.Set("mac", mac);
  out.Set("up", up);
  return out;
}

// pidfdOpen(pid): number — a pidfd that becomes readable when the process exits (Linux >= 5.3).
// It lets the agent notice a dead nginx master at once instead of polling for it.
Napi::Value PidfdOpen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int pid = info[0].As<Napi::Number>().Int32Value();
  if (pid <= 0) throw Napi::TypeError::New(env, "pid must be positive");
  long fd = syscall(SYS_pidfd_open, pid, 0);
  if (fd < 0) ThrowErrno(env, "pidfd_open(" + std::to_string(pid) + ")");
  fcntl(static_cast<int>(fd), F_SETFD, FD_CLOEXEC);
  return Napi::Number::New(env, static_cast<double>(fd));
}

// sdNotify(socketPath, message): void — one datagram to systemd's NOTIFY_SOCKET (READY=1,
// STOPPING=1, WATCHDOG=1). Node has no unix datagram sockets. A leading '@' is an abstract name.
Napi::Value SdNotify(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = info[0].As<Napi::String>().Utf8Value();
  std::string message = info[1].As<Napi::String>().Utf8Value();
  sockaddr_un to{};
  to.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof to.sun_path) throw Napi::TypeError::New(env, "bad NOTIFY_SOCKET");
  std::memcpy(to.sun_path, path.data(), path.size());
  if (path[0] == '@') to.sun_path[0] = '\0';
  socklen_t len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size());
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) ThrowErrno(env, "socket(AF_UNIX)");
  ssize_t n = sendto(fd, message.data(), message.size(), 0, reinterpret_cast<sockaddr*>(&to), len);
  int saved = errno;
  close(fd);
  errno = saved;
  if (n < 0) ThrowErrno(env, "sendto(NOTIFY_SOCKET)");
  return env.Undefined();
}

// closeFd(fd): void
Napi::Value CloseFd(const Napi::CallbackInfo& info) {
  int fd = info[0].As<Napi::Number>().Int32Value();
  if (fd >= 0) close(fd);
  return info.Env().Undefined();
}

// A readable-watcher on a socket: uv_poll on the JS thread's loop, calling back on readability.
class Watcher : public Napi::ObjectWrap<Watcher> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "Watcher", {InstanceMethod("stop", &Watcher::Stop)});
  }

  explicit Watcher(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Watcher>(info) {
    Napi::Env env = info.Env();
    int fd = info[0].As<Napi::Number>().Int32Value();
    callback_ = Napi::Persistent(info[1].As<Napi::Function>());
    uv_loop_t* loop = nullptr;
    if (napi_get_uv_event_loop(env, &loop) != napi_ok) throw Napi::Error::New(env, "no uv loop");
    handle_ = new uv_poll_t;
    handle_->data = this;
    if (uv_poll_init(loop, handle_, fd) != 0) {
      delete handle_;
      handle_ = nullptr;
      throw Napi::Error::New(env, "uv_poll_init failed");
    }
    uv_poll_start(handle_, UV_READABLE, OnReadable);
    Ref();  // kept alive while polling
  }

  ~Watcher() override { StopPolling(); }

 private:
  static void OnReadable(uv_poll_t* handle, int status, int /*events*/) {
    auto* self = static_cast<Watcher*>(handle->data);
    if (self == nullptr) return;
    Napi::Env env = self->Env();
    Napi::HandleScope scope(env);
    try {
      self->callback_.MakeCallback(env.Global(), {Napi::Number::New(env, status)});
    } catch (const Napi::Error& e) {
      // An exception in the JS callback must not tear the loop down; the JS side catches its own.
      (void)e;
    }
  }

  void StopPolling() {
    if (handle_ == nullptr) return;
    uv_poll_stop(handle_);
    handle_->data = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(handle_), [](uv_handle_t* h) { delete reinterpret_cast<uv_poll_t*>(h); });
    handle_ = nullptr;
  }

  Napi::Value Stop(const Napi::CallbackInfo& info) {
    if (handle_ != nullptr) {
      StopPolling();
      Unref();
    }
    return info.Env().Undefined();
  }

  uv_poll_t* handle_ = nullptr;
  Napi::FunctionReference callback_;
};

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("openVrrp", Napi::Function::New(env, OpenVrrp));
  exports.Set("recvVrrp", Napi::Function::New(env, RecvVrrp));
  exports.Set("sendVrrp", Napi::Function::New(env, SendVrrp));
  exports.Set("sendFrame", Napi::Function::New(env, SendFrame));
  exports.Set("interfaceInfo", Napi::Function::New(env, InterfaceInfo));
  exports.Set("closeFd", Napi::Function::New(env, CloseFd));
  exports.Set("pidfdOpen", Napi::Function::New(env, PidfdOpen));
  exports.Set("sdNotify", Napi::Function::New(env, SdNotify));
  exports.Set("Watcher", Watcher::Init(env));
  keepwatch::InitNetlink(env, exports);
  keepwatch::InitSpawn(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(keepwatch_net, Init)
