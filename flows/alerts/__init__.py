"""Owner alerts: who owns a failing report, what to tell them, and how to reach them."""
