// A C++ program built like a trixie one (libstdc++ 14, libgcc_s, glibc
// 2.41), for tests/abikit.compat/compat.exp: four threads throw and catch
// 100 exceptions each through 20 frames, which trixie's libgcc_s unwinds
// with _dl_find_object (GLIBC_2.35), and share a shared_ptr, whose count
// libstdc++ keeps atomically unless __libc_single_threaded (GLIBC_2.32)
// says one thread.
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

static int depth(int n)
{
	if (n == 0)
		throw std::runtime_error("deep");
	return depth(n - 1) + 1;
}

int main()
{
	int caught = 0;
	auto shared = std::make_shared<int>(7);
	std::vector<std::thread> threads;

	for (int i = 0; i < 4; i++)
		threads.emplace_back([&caught, shared] {
			for (int j = 0; j < 100; j++) {
				try {
					depth(20);
				} catch (const std::exception &) {
					__atomic_add_fetch(&caught, 1, __ATOMIC_RELAXED);
				}
			}
		});
	for (auto &t : threads)
		t.join();
	std::printf("caught %d, use_count %ld\n", caught, shared.use_count());
	return caught == 400 && shared.use_count() == 1 ? 0 : 1;
}
