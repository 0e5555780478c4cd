"""Runtime modules copied verbatim into every generated package."""
