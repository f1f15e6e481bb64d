# Toolchain file for cross-compiling Jejak to 64-bit ARM Linux (Raspberry Pi 3/4/5 class)
# with Debian's g++-aarch64-linux-gnu and the arm64 multiarch -dev packages; tests run under
# qemu-aarch64. Used by scripts/cross-arm64.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)

# Debian multiarch: arm64 libraries live in /usr/lib/aarch64-linux-gnu beside the host's,
# and the cross compiler already searches /usr/include/aarch64-linux-gnu.
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)

# pkg-config must see the arm64 .pc files, not the host's.
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig)
set(ENV{PKG_CONFIG_SYSROOT_DIR} /)

# Test binaries run through user-mode emulation with the multiarch arm64 loader and libraries
# (libc6:arm64, libstdc++6:arm64 and the -dev packages' libraries): with multiarch the arm64
# sysroot is / itself, hence -L /. Not with -L pointing at the cross toolchain's own libc
# (/usr/aarch64-linux-gnu): under qemu 7.2 its threads hang (a two-line std::thread program
# never returns). QEMU_CPU and other QEMU_* variables in the environment reach every run.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64 -L /)
