"""What the stub serves itself, per region: filled from a facts file by scenario.py."""


class Data:
    """What the stub serves for one region (empty until a scenario is loaded)."""

    def __init__(self):
        self.region = None
        self.account = None
        # The account of the Identity Center instance these facts use (None: this
        # account's own); its identity store and instance are read there.
        self.idc_account = None
        self.instance_arn = None
        self.instance = {}  # facts' IdC instance (name, status), ids already rewritten
        # The facts' instances in ListInstances order: None stands for moto's own
        # instance (the one the users live in), a dict for a further instance the
        # stub serves itself (e.g. an account instance beside the organization one).
        self.instance_order = [None]
        self.no_instances = False  # facts say: no Identity Center instance
        self.studios = []  # facts studios, session_mappings resolved to lists
        self.apps = {}  # ARN -> {"assignment_required", "assignments", "name", "provider"}
        self.grants_instance = None  # facts access_grants.instance, or None
        self.locations = []
        self.grants = []
        self.lake_formation = None  # facts lake_formation.identity_center, or None
        self.lf_resources = {}  # resource ARN -> facts lake_formation.resources entry
        self.lf_opt_ins = []  # facts lake_formation.opt_ins
        self.lf_permissions = []  # facts lake_formation.permissions
        self.lf_tag_permissions = []  # facts lake_formation.tag_permissions
        self.lf_table_tags = {}  # "db.table" -> facts lake_formation.table_tags entry
        self.lf_filter_permissions = []  # facts lake_formation.filter_permissions
        self.caller_arn = None  # facts caller.arn: who the tool runs as
        self.wg_apps = {}  # workgroup name -> IdentityCenterApplicationArn
        self.wg_disabled = set()  # workgroups to show as DISABLED
        self.user_status = {}  # moto user id -> ENABLED/DISABLED

    def instance_regions(self):
        """The regions of the Identity Center instance: its primary region and
        the regions it is replicated to."""
        regions = {r["region_name"] for r in self.instance.get("regions") or []}
        return regions | ({self.instance["primary_region"]} if self.instance.get("primary_region") else set())
