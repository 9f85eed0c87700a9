/* test-agenttune.c - when kvmlab exec --trace moves its agent between two CPUs and one
 * (tracer/exec/agent.h): a few sleeps are borne, a run of them moves both to one CPU, and
 * two are tried again later. */
#include "agent.h"
#include "testkit.h"

/* Feed n answers (slept or not); how many of them asked for a move. */
static int feed(struct agent_tuner *t, unsigned n, bool slept)
{
	int moves = 0;

	while (n--)
		moves += agent_tune(t, slept);
	return moves;
}

int main(void)
{
	struct agent_tuner t;

	/* on two CPUs: AGENT_MAX_MISSES sleeps in a window are borne, one more moves */
	agent_tuner_init(&t, true);
	CHECK_EQ(feed(&t, 100, false), 0);
	CHECK_EQ(feed(&t, AGENT_MAX_MISSES, true), 0);
	CHECK(t.two_cpus);
	CHECK(agent_tune(&t, true));
	CHECK(!t.two_cpus);

	/* on one CPU: AGENT_RETRY answers, then two CPUs again, whatever they were */
	CHECK_EQ(feed(&t, AGENT_RETRY - 1, true), 0);
	CHECK(!t.two_cpus);
	CHECK(agent_tune(&t, true));
	CHECK(t.two_cpus);

	/* a window's sleeps are forgotten when the next window begins */
	agent_tuner_init(&t, true);
	for (int w = 0; w < 50; w++) {
		CHECK_EQ(feed(&t, AGENT_MAX_MISSES, true), 0);
		CHECK_EQ(feed(&t, AGENT_WINDOW - AGENT_MAX_MISSES, false), 0);
	}
	CHECK(t.two_cpus);
	/* ... but not within one: sleeps spread over a window add up */
	for (int k = 0; k < AGENT_MAX_MISSES; k++)
		CHECK_EQ(feed(&t, 20, false) + agent_tune(&t, true), 0);
	CHECK(agent_tune(&t, true));
	CHECK(!t.two_cpus);

	/* a user at the TUI (every step waits for a key): at most AGENT_MAX_MISSES + 1 steps
	 * on two CPUs, then one, with a try of two every AGENT_RETRY steps */
	agent_tuner_init(&t, true);
	CHECK_EQ(feed(&t, 3 * (AGENT_RETRY + AGENT_MAX_MISSES + 1), true), 6);
	return check_summary();
}
