# studio-doctor's read-only audit role, for one account (apply it in each account
# to check). The policy file is what studio-doctor prints:
#   studio-doctor permissions > studio-doctor-policy.json

variable "caller_arn" {
  description = "The principal that runs studio-doctor (arn:aws:iam::ACCOUNT:role/NAME)."
  type        = string
}

variable "external_id" {
  description = "The external id the caller must pass to sts:AssumeRole (empty for none)."
  type        = string
  default     = ""
}

variable "role_name" {
  description = "The role's name; studio-doctor's --role-name."
  type        = string
  default     = "StudioDoctorAudit"
}

data "aws_iam_policy_document" "studio_doctor_trust" {
  statement {
    sid     = "StudioDoctorCaller"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = [var.caller_arn]
    }
    dynamic "condition" {
      for_each = var.external_id == "" ? [] : [var.external_id]
      content {
        test     = "StringEquals"
        variable = "sts:ExternalId"
        values   = [condition.value]
      }
    }
  }
}

resource "aws_iam_role" "studio_doctor_audit" {
  name               = var.role_name
  description        = "Read-only role that studio-doctor assumes to check this account."
  assume_role_policy = data.aws_iam_policy_document.studio_doctor_trust.json
}

resource "aws_iam_role_policy" "studio_doctor_read_only" {
  name   = "StudioDoctorReadOnly"
  role   = aws_iam_role.studio_doctor_audit.id
  policy = file("${path.module}/studio-doctor-policy.json")
}

output "role_arn" {
  value = aws_iam_role.studio_doctor_audit.arn
}
