// wordcount: goro.hpp in one program. A reader goroutine sends lines (owned
// std::strings, as released unique_ptrs) to a pool of workers over a typed
// channel; each worker counts words into a map shared under a goro::mutex;
// a wait_group tells when they are done, and a select with a std::chrono
// timeout keeps a progress ticker. The Go twin:
//
//	lines := make(chan *string, 16)
//	go func() { for _, l := range text { lines <- &l }; close(lines) }()
//	var mu sync.Mutex; counts := map[string]int{}; var wg sync.WaitGroup
//	for w := 0; w < workers; w++ {
//		wg.Add(1)
//		go func() {
//			defer wg.Done()
//			for l := range lines {
//				for _, word := range strings.Fields(*l) { mu.Lock(); counts[word]++; mu.Unlock() }
//			}
//		}()
//	}
//	wg.Wait()
//
// Build: c++ -std=c++17 -O2 -pthread -Iinclude examples/wordcount.cc build/amd64/libgoro.a
// Exits 0 when every word was counted exactly once.
#include <goro.hpp>

#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>

using namespace std::chrono_literals;

static const char *const verses[] = {
	"do not communicate by sharing memory",
	"instead share memory by communicating",
	"a goroutine is a function running concurrently with other goroutines",
	"channels are the pipes that connect concurrent goroutines",
};
constexpr int kVerses = sizeof verses / sizeof verses[0];
constexpr int kRepeat = 2500;   // lines = kVerses * kRepeat
constexpr int kWorkers = 8;

int main()
{
	int r = goro::main(nullptr, [] {
		goro::chan<std::string *> lines(16);
		goro::chan<int> done;   // closed once the counting is over
		goro::mutex mu;
		std::map<std::string, long> counts;   // mu protects it
		goro::wait_group wg;

		// the reader: every line a heap string, ownership passed by release()
		goro::go([&lines] {
			for (int i = 0; i < kRepeat * kVerses; i++) {
				auto line = std::make_unique<std::string>(verses[i % kVerses]);
				if (lines.send(line.get()) == GORO_OK)
					line.release();   // the receiver owns it now
			}
			lines.close();
		});

		wg.add(kWorkers);
		for (int w = 0; w < kWorkers; w++)
			goro::go([&] {
				for (std::string *p : lines) {   // until lines is closed and drained
					std::unique_ptr<std::string> line(p);
					std::istringstream words(*line);
					std::string word;
					while (words >> word) {
						std::lock_guard<goro::mutex> l(mu);
						counts[word]++;
					}
				}
				wg.done();
			});
		goro::go([&] {
			wg.wait();
			done.close();
		});

		// main waits for done, printing progress every 2 ms meanwhile
		int ticks = 0;
		goro::select sel;
		sel.recv(done);
		while (sel.wait_for(2ms) == GORO_TIMEOUT)
			ticks++;

		long total = 0, want = 0;
		for (auto &kv : counts)
			total += kv.second;
		for (const char *v : verses) {
			std::istringstream words(v);
			std::string word;
			while (words >> word)
				want += kRepeat;
		}
		std::printf("wordcount: %zu distinct words, %ld counted (want %ld), "
		            "\"goroutines\" %ld times, %d progress ticks\n",
		            counts.size(), total, want, counts["goroutines"], ticks);
		return total == want && counts["goroutines"] == 2 * kRepeat ? 0 : 1;
	});
	if (r < 0)
		std::fprintf(stderr, "wordcount: goro::main: %s\n", goro::strerror(r));
	return r == 0 ? 0 : 1;
}
