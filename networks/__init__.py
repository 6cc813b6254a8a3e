"""Where and how far: road graphs, snapping, travel matrices and route geometry."""

from networks.matrix import RoadNetwork, build_network, travel_matrix
from networks.roads import build_road_graph

__all__ = ["RoadNetwork", "build_network", "build_road_graph", "travel_matrix"]
