"""The course: catalog of lessons and exercises, the learner's workspace and progress."""
