"""The system parameter files (``<tool>.par``) shipped with pyciao."""
