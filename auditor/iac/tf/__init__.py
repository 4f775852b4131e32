"""Terraform: plans as ``terraform show -json`` writes them (:mod:`.plan`), JSON configuration
``*.tf.json`` (:mod:`.config`), and the references between resources (:mod:`.refs`)."""
