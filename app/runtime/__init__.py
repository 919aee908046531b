"""How the GUI runs: background work and its answers (:mod:`.tasks`), how Qt objects end
(:mod:`.lifecycle`), a kiosk or display against a store server (:mod:`.remote`) and the
``--self-test`` start (:mod:`.self_test`)."""
