"""CloudFormation: templates (:mod:`.template`), intrinsic functions (:mod:`.intrinsics`), stacks (:mod:`.stack`)."""
