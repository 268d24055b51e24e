// goro.hpp from an installed goro, through find_package: a ball over two
// typed channels, a lambda holding a std::string, a lock_guard, a timed
// select. Exits 0 when all of it behaved.
#include <goro.hpp>

#include <cstdio>
#include <string>

using namespace std::chrono_literals;

int main()
{
	return goro::main(nullptr, [] {
		goro::chan<long> ping, pong;
		std::string name = "pong player with a name too long for small-string storage";
		goro::mutex mu;
		long hits = 0;
		goro::go([&, name] {
			for (long ball : ping) {
				std::lock_guard<goro::mutex> l(mu);
				hits += name.size() > 20;
				pong.send(ball + 1);
			}
			pong.close();
		});
		for (long i = 0; i < 1000; i++) {
			ping.send(2 * i);
			if (*pong.recv() != 2 * i + 1)
				return 1;
		}
		ping.close();
		if (pong.recv())   // closed by the player
			return 2;
		goro::chan<int> never;
		goro::select sel;
		sel.recv(never);
		if (sel.wait_for(5ms) != GORO_TIMEOUT)
			return 3;
		std::lock_guard<goro::mutex> l(mu);
		std::printf("pingpong_cxx: %ld hits\n", hits);
		return hits == 1000 ? 0 : 4;
	});
}
