// H4 over a file descriptor: whole packets out, whole packets in however the bytes are
// split, garbage reported and skipped, timeouts, shutdown and peer hang-up.
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <thread>

#include "platform/transport/h4_fd_transport.h"
#include "platform/radio_spec/radio_spec.h"
#include "platform/transport/uart_transport.h"
#include "tests/fakes/scripted_controller.h"

namespace jejak {
namespace {

using testing::Bytes;
using testing::HexBytes;

struct Pair {
    std::unique_ptr<H4FdTransport> host;
    int peer = -1;
    Pair() {
        int fds[2];
        REQUIRE(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
        auto t = H4FdTransport::Adopt(fds[0], "test");
        REQUIRE(t.ok());
        host = std::move(t).value();
        peer = fds[1];
    }
    ~Pair() {
        if (peer >= 0) close(peer);
    }
    void PeerWrite(const Bytes& b) const {
        REQUIRE(write(peer, b.data(), b.size()) == static_cast<ssize_t>(b.size()));
    }
};

TEST_CASE("fd transport sends the packet bytes unchanged") {
    Pair p;
    REQUIRE(p.host->Send(HexBytes("01 0a 20 01 01")).ok());
    uint8_t buf[16];
    REQUIRE(read(p.peer, buf, sizeof buf) == 5);
    CHECK(Bytes(buf, buf + 5) == HexBytes("01 0a 20 01 01"));
}

TEST_CASE("fd transport reassembles an event split across many reads") {
    Pair p;
    const Bytes event = HexBytes("04 0e 04 01 03 0c 00");
    std::thread writer([&] {
        for (uint8_t b : event) {
            p.PeerWrite({b});
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
    });
    auto got = p.host->Receive(2000);
    writer.join();
    REQUIRE(got.ok());
    CHECK(*got == event);
}

TEST_CASE("fd transport returns several packets from one read in order") {
    Pair p;
    p.PeerWrite(HexBytes("04 0e 04 01 03 0c 00 04 0e 04 01 01 10 00"));
    auto a = p.host->Receive(1000);
    auto b = p.host->Receive(1000);
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    CHECK(*a == HexBytes("04 0e 04 01 03 0c 00"));
    CHECK(*b == HexBytes("04 0e 04 01 01 10 00"));
}

TEST_CASE("fd transport reports garbage once and carries on with the next packet") {
    Pair p;
    p.PeerWrite(HexBytes("ff fe 00 77 04 0e 04 01 03 0c 00"));
    auto garbage = p.host->Receive(1000);
    REQUIRE_FALSE(garbage.ok());
    CHECK(garbage.status().IsCorruption());
    auto next = p.host->Receive(1000);
    REQUIRE(next.ok());
    CHECK(*next == HexBytes("04 0e 04 01 03 0c 00"));
    CHECK(p.host->skipped_bytes() == 4);
}

TEST_CASE("fd transport times out on a partial packet and completes it later") {
    Pair p;
    p.PeerWrite(HexBytes("04 0e 04 01"));
    CHECK(p.host->Receive(20).status().IsTimeout());
    p.PeerWrite(HexBytes("03 0c 00"));
    auto got = p.host->Receive(1000);
    REQUIRE(got.ok());
    CHECK(*got == HexBytes("04 0e 04 01 03 0c 00"));
}

TEST_CASE("fd transport shutdown wakes a blocked receive") {
    Pair p;
    std::thread stopper([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        p.host->Shutdown();
    });
    auto got = p.host->Receive(10000);
    stopper.join();
    CHECK(got.status().IsUnavailable());
}

TEST_CASE("fd transport reports a peer hang-up as unavailable") {
    Pair p;
    close(p.peer);
    p.peer = -1;
    CHECK(p.host->Receive(1000).status().IsUnavailable());
    CHECK_FALSE(p.host->Send(HexBytes("01 03 0c 00")).ok());
}

TEST_CASE("unix transport reports a missing server clearly") {
    auto t = ConnectUnixH4("/nonexistent-dir/socket");
    REQUIRE_FALSE(t.ok());
    CHECK(t.status().message().find("unix:/nonexistent-dir/socket") != std::string::npos);
}

TEST_CASE("uart transport refuses non-standard baud rates and non-tty files") {
    CHECK(OpenUartH4("/dev/null", 12345, true).status().IsInvalidArgument());
    CHECK(OpenUartH4("/dev/null", 115200, true).status().IsInvalidArgument());
    CHECK(OpenUartH4("/nonexistent/tty", 115200, true).status().IsNotFound());
}

}  // namespace
}  // namespace jejak

namespace jejak {
namespace {

// A pseudo-terminal stands in for a serial HCI controller: the slave side is configured by
// OpenUartH4 exactly like /dev/ttyACM0 would be.
TEST_CASE("uart transport exchanges H4 packets over a terminal device") {
    const int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    REQUIRE(master >= 0);
    REQUIRE(grantpt(master) == 0);
    REQUIRE(unlockpt(master) == 0);
    const std::string slave = ptsname(master);
    auto uart = OpenUartH4(slave, 1000000, /*flow_control=*/false);
    REQUIRE_MESSAGE(uart.ok(), uart.status().ToString());
    CHECK((*uart)->Describe() == "uart:" + slave + "@1000000,noflow");
    REQUIRE((*uart)->Send(HexBytes("01 03 0c 00")).ok());
    uint8_t buf[16];
    ssize_t got = 0;
    for (int i = 0; i < 100 && got < 4; ++i) {  // raw mode: bytes pass unchanged
        const ssize_t n = read(master, buf + got, sizeof buf - static_cast<size_t>(got));
        if (n > 0) got += n;
    }
    CHECK(Bytes(buf, buf + got) == HexBytes("01 03 0c 00"));
    const Bytes event = HexBytes("04 0e 04 01 03 0c 00");
    REQUIRE(write(master, event.data(), event.size()) == 7);
    auto reply = (*uart)->Receive(2000);
    REQUIRE(reply.ok());
    CHECK(*reply == event);
    close(master);
}

TEST_CASE("kernel hci socket fails with a clear unavailable error when it cannot be used") {
    ManualClock clock;
    // An index no machine has: never touches a real controller, with or without Bluetooth.
    auto radio = OpenRadio("hci65000", clock);
    REQUIRE_FALSE(radio.ok());
    CAPTURE(radio.status().ToString());
    CHECK(radio.status().IsUnavailable());
    const std::string msg = radio.status().message();
    const bool clear = msg.find("AF_BLUETOOTH") != std::string::npos ||
                       msg.find("no such controller") != std::string::npos ||
                       msg.find("no BlueZ support") != std::string::npos;
    CHECK(clear);
    CHECK(msg.find("hci65000") != std::string::npos);
}

}  // namespace
}  // namespace jejak
