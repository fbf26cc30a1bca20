"""Several workers, one paper engine: commands travel to the engine leader over Redis."""

from numatix.exchange.cluster.client import Channels, CommandClient
from numatix.exchange.cluster.protocol import Command
from numatix.exchange.cluster.server import EngineServer
from numatix.exchange.cluster.venue import ClusterVenue

__all__ = ["Channels", "ClusterVenue", "Command", "CommandClient", "EngineServer"]
