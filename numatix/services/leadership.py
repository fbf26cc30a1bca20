"""Which worker runs the paper engine: the holder of a lease in Redis.

The lease is a key, set only when free, holding this worker's token with a TTL. A script
takes it when free and renews it when it is still ours (compare-and-renew), and a clean
stop deletes it only if ours (compare-and-delete), so another worker takes over at its
next try instead of waiting the lease out. A worker killed outright just stops renewing:
the key expires and another worker's next try takes it.

The lease decides which worker *tries* to run the engine; it is not what keeps two
engines from writing at once (a paused process or a frozen clock can outlive any lease).
That is the database's fence: each new engine claims a newer term there, and the writes
of every older one are refused (``store/engine_fence.py``). An engine refused that way
calls ``step_down()``: it stops at once, hands the lease back and lets another worker in.
Still, so that a healthy handover refuses nobody, the holder counts its lease from
*before* it sent the request that got it (so its own clock can only under-estimate what
Redis granted) and trusts it for half of its length: ``held()`` turns false well before
Redis lets anyone else in, and the engine stops acting from then on.

The lease is kept by a thread of its own with a blocking Redis client, not by the event
loop: a leader whose loop is busy with orders (the engine's database writes are
synchronous) keeps renewing on time, instead of refusing work or losing the engine
exactly when it is most loaded. Starting and stopping the engine follow on the loop.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Awaitable, Callable

import redis

logger = logging.getLogger(__name__)

TAKE = """
local holder = redis.call('get', KEYS[1])
if holder == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
if holder then return 0 end
redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
"""
RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""
TRUSTED_FRACTION = 0.5  # of the lease, counted from before the request that got it
TRIES_PER_LEASE = 5  # take or renew this often per lease length
REST_AFTER_FAILED_START = 3  # leases: let another worker try after the engine failed to start here
REST_AFTER_STEPPING_DOWN = 1  # leases: after a newer engine was found to own the books


class LeaderLease:
    """The lease itself; its calls block (the keeper thread makes them)."""

    def __init__(self, client: redis.Redis, key: str, token: str, lease_seconds: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._client = client
        self.key = key
        self.token = token
        self.lease_seconds = lease_seconds
        self._clock = clock
        self._good_until = 0.0
        self._forgotten_at = float("-inf")
        self._trust = threading.Lock()  # a renewal (keeper thread) against forget() (event loop)

    def held(self) -> bool:
        """Safe to act as the leader right now."""
        return self._clock() < self._good_until

    def take(self) -> bool:
        """Take the lease if free, renew it if still ours; False if another worker has it."""
        started = self._clock()
        granted = bool(self._client.eval(TAKE, 1, self.key, self.token, int(self.lease_seconds * 1000)))
        with self._trust:
            if started >= self._forgotten_at:  # a renewal sent before forget() does not count
                self._good_until = started + self.lease_seconds * TRUSTED_FRACTION if granted else 0.0
        return granted

    def forget(self) -> None:
        """Stop trusting the lease at once, whatever Redis says."""
        with self._trust:
            self._forgotten_at = self._clock()
            self._good_until = 0.0

    def release(self) -> None:
        self.forget()
        self._client.eval(RELEASE, 1, self.key, self.token)


class Leadership:
    """Keeps the lease (a thread) and runs the engine while it is held (``on_elected`` starts
    it, ``on_deposed`` stops it; both on the event loop).

    ``on_elected`` may take seconds (a market feed to connect, open orders to restore), so it
    runs in a task of its own while the lease keeps being renewed.
    """

    def __init__(self, lease: LeaderLease, on_elected: Callable[[], Awaitable[None]],
                 on_deposed: Callable[[], Awaitable[None]]) -> None:
        self.lease = lease
        self._on_elected = on_elected
        self._on_deposed = on_deposed
        self._interval = lease.lease_seconds / TRIES_PER_LEASE
        self._stopping = threading.Event()
        self._keeper: threading.Thread | None = None
        self._resting_until = 0.0  # monotonic: no taking before, after a failed start here
        self._watch: asyncio.Task | None = None
        self._term: asyncio.Task | None = None
        self._standing_down: asyncio.Task | None = None
        self.leading = False
        self.changed = asyncio.Event()  # set at every election and deposition (tests wait on it)

    async def start(self) -> None:
        self._keeper = threading.Thread(target=self._keep, name="engine-lease", daemon=True)
        self._keeper.start()
        self._watch = asyncio.create_task(self._follow_forever(), name="engine-leadership")

    async def stop(self) -> None:
        """Stop the engine here and hand the lease over at once."""
        self._stopping.set()
        if self._watch is not None:
            self._watch.cancel()
            await asyncio.gather(self._watch, return_exceptions=True)
        if self._keeper is not None:
            await asyncio.to_thread(self._keeper.join)
        if self.leading:
            await self._depose()
        await self._release()

    def step_down(self) -> None:
        """A newer engine owns the books: stop now, hand the lease back, stay out a while."""
        logger.error("a newer paper engine owns the books: this worker stops running the engine")
        self._resting_until = time.monotonic() + REST_AFTER_STEPPING_DOWN * self.lease.lease_seconds
        self.lease.forget()
        loop = asyncio.get_running_loop()
        self._standing_down = loop.create_task(self._stand_down(), name="engine-step-down")

    async def _stand_down(self) -> None:
        if self.leading:
            await self._depose()
        await self._release()

    async def tick(self) -> None:
        """One round by hand (tests): renew or take, then start or stop the engine to match."""
        await asyncio.to_thread(self._try)
        await self._follow()

    # ------------------------------------------------------- the keeper thread
    def _keep(self) -> None:
        while not self._stopping.is_set():
            self._try()
            self._stopping.wait(self._interval)

    def _try(self) -> None:
        if time.monotonic() < self._resting_until:
            return
        try:
            self.lease.take()
        except (redis.RedisError, OSError):
            logger.warning("engine lease: Redis did not answer", exc_info=True)  # held() runs out by itself

    # ------------------------------------------------------------ on the loop
    async def _follow_forever(self) -> None:
        while True:
            await self._follow()
            await asyncio.sleep(self._interval / 2)

    async def _follow(self) -> None:
        held = self.lease.held()
        if self.leading and not held:
            logger.warning("engine lease lost: this worker stops running the paper engine")
            await self._depose()
        elif held and not self.leading:
            logger.info("engine lease taken: this worker runs the paper engine and the market feed")
            self.leading = True
            self._term = asyncio.create_task(self._elected(), name="engine-start")
            self._announce()

    async def _elected(self) -> None:
        try:
            await self._on_elected()
        except Exception:
            logger.exception("the paper engine did not start here; giving the lease up")
            self._resting_until = time.monotonic() + REST_AFTER_FAILED_START * self.lease.lease_seconds
            self._term = None  # this task: _depose must not wait for itself
            await self._depose()
            await self._release()

    async def _depose(self) -> None:
        self.leading = False
        if self._term is not None and not self._term.done():
            self._term.cancel()
            await asyncio.gather(self._term, return_exceptions=True)
        self._term = None
        try:
            await self._on_deposed()
        except Exception:
            logger.exception("stopping the paper engine failed")
        self._announce()

    async def _release(self) -> None:
        try:
            await asyncio.to_thread(self.lease.release)
        except (redis.RedisError, OSError):
            logger.warning("could not release the engine lease; it expires by itself", exc_info=True)

    def _announce(self) -> None:
        self.changed.set()
        self.changed = asyncio.Event()
