// Fixed-size secret values: the size is part of the type, the bytes are zeroed on
// destruction, comparison is constant-time, and there is deliberately no printing operator
// or implicit conversion to a string. Anything that must show key bytes (only the
// `keys derive` command) asks for them explicitly with bytes().
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace jejak {

// Zeroes memory in a way the compiler cannot elide (libsodium's sodium_memzero).
void SecureZero(void* data, size_t size);

namespace internal {
// Overwrites the 4 KiB of stack below the caller's frame. Kernels run their work in a
// non-inlined function and call this after it returns, so that registers the compiler spilled
// there (SHA states, PRKs, round keys) do not outlive the call.
void ScrubStack();
}  // namespace internal
// Constant-time equality of two equal-length buffers (libsodium's sodium_memcmp).
bool ConstantTimeEqual(const void* a, const void* b, size_t size);

template <size_t N, typename Tag>
class Secret {
public:
    static constexpr size_t kSize = N;

    Secret() { bytes_.fill(0); }
    explicit Secret(std::span<const uint8_t, N> bytes) {
        for (size_t i = 0; i < N; ++i) bytes_[i] = bytes[i];
    }
    Secret(const Secret& other) = default;
    Secret& operator=(const Secret& other) = default;
    ~Secret() { SecureZero(bytes_.data(), N); }

    std::span<const uint8_t, N> bytes() const { return bytes_; }
    std::span<uint8_t, N> mutable_bytes() { return bytes_; }
    const uint8_t* data() const { return bytes_.data(); }
    uint8_t* data() { return bytes_.data(); }

    friend bool operator==(const Secret& a, const Secret& b) {
        return ConstantTimeEqual(a.bytes_.data(), b.bytes_.data(), N);
    }

private:
    std::array<uint8_t, N> bytes_;
};

// A variable-length secret text (a store passphrase): every copy is zeroed on destruction,
// on reassignment and when moved from; never printed.
class SecretString {
public:
    SecretString() = default;
    explicit SecretString(std::string_view text) : text_(text) {}
    SecretString(const SecretString& other) : text_(other.text_) {}
    SecretString& operator=(const SecretString& other) {
        if (this != &other) *this = other.view();
        return *this;
    }
    SecretString(SecretString&& other) noexcept : text_(std::move(other.text_)) {
        other.Clear();
    }
    SecretString& operator=(SecretString&& other) noexcept {
        if (this != &other) {
            Clear();
            text_ = std::move(other.text_);
            other.Clear();
        }
        return *this;
    }
    SecretString& operator=(std::string_view text) {
        Clear();
        text_.assign(text);
        return *this;
    }
    ~SecretString() { Clear(); }

    std::string_view view() const { return text_; }
    size_t size() const { return text_.size(); }
    bool empty() const { return text_.empty(); }
    // Zeroes every byte the string owns (capacity included), then empties it.
    void Clear() {
        text_.resize(text_.capacity());
        SecureZero(text_.data(), text_.size());
        text_.clear();
    }

private:
    std::string text_;
};

struct TekTag;
struct RpikTag;
struct AemkTag;

// Temporary Exposure Key: the daily 16-byte secret from which everything derives.
using Tek = Secret<16, TekTag>;
// Rolling Proximity Identifier Key = HKDF(TEK, NULL, "EN-RPIK", 16).
using Rpik = Secret<16, RpikTag>;
// Associated Encrypted Metadata Key = HKDF(TEK, NULL, "EN-AEMK", 16).
using Aemk = Secret<16, AemkTag>;

static_assert(sizeof(Tek) == 16, "Tek must be exactly its bytes so spans of keys are contiguous");

}  // namespace jejak
