from django.db import models

from sunlight.flows.models import FlowVersion


class FlowIndexed(models.Model):
    """A flow whose pairs and required documents are in the tables below (flows that cases run
    are published and never change, so each is indexed once)."""

    flow = models.OneToOneField(FlowVersion, primary_key=True, on_delete=models.CASCADE)

    class Meta:
        verbose_name = "已索引流程"
        verbose_name_plural = "已索引流程"

    def __str__(self) -> str:
        return str(self.flow_id)


class FlowStepPair(models.Model):
    """Step B may directly follow step A in this flow (through gateways, or by a send-back): the
    set-based out-of-order check looks for a handled step whose predecessor is not such a pair."""

    flow = models.ForeignKey(FlowVersion, on_delete=models.CASCADE, related_name="+")
    from_node = models.CharField(max_length=100)
    to_node = models.CharField(max_length=100)

    class Meta:
        verbose_name = "流程环节先后关系"
        verbose_name_plural = "流程环节先后关系"
        constraints = [
            models.UniqueConstraint(
                fields=["flow", "from_node", "to_node"], name="sup_flow_pair_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.flow_id}: {self.from_node} → {self.to_node}"


class FlowRequiredDocument(models.Model):
    """A document a flow step requires (from FlowNode.required_documents), as rows for SQL."""

    flow = models.ForeignKey(FlowVersion, on_delete=models.CASCADE, related_name="+")
    node = models.CharField(max_length=100)
    name = models.CharField(max_length=200)

    class Meta:
        verbose_name = "流程必传文书"
        verbose_name_plural = "流程必传文书"
        indexes = [models.Index(fields=["flow", "node"], name="sup_flow_doc_node")]

    def __str__(self) -> str:
        return f"{self.flow_id}: {self.node} {self.name}"
