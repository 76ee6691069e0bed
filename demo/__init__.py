"""The demo district: 柯桥区 as the seed describes it, built by `manage.py seed_demo`."""
