"""Which handler runs which kind of job: the one registry every process that runs jobs (the API
service in embedded mode, `fusebrief worker` in scale-out mode) builds its workers from."""

from service.briefs import BRIEF_JOB, BriefService
from service.jobs.model import Handler
from service.slack.deliver import SLACK_JOB, slack_job


def job_handlers(service: BriefService) -> dict[str, Handler]:
    return {BRIEF_JOB: service.run_job, SLACK_JOB: slack_job(service)}
