package io.agentwatch.server.agentpipe;

/** Bodies as the AgentPipe CLI sends them. */
final class AgentPipeSamples {

  private AgentPipeSamples() {}

  static String started(String conversation) {
    return """
        {"type":"conversation.started","timestamp":"2026-11-28T16:00:00.123456789Z","data":{
          "conversation_id":"%s","mode":"round-robin","initial_prompt":"Design a web scraper","max_turns":4,
          "participants":[
            {"agent_id":"claude-1","agent_type":"claude","name":"Alice","model":"claude-sonnet-4","prompt":"Be terse",
             "cli_version":"2.0.1"},
            {"agent_type":"gemini","name":"Bob","model":"gemini-2.5-pro"}],
          "system_info":{"agentpipe_version":"0.6.0","os":"darwin","os_version":"15.1","go_version":"go1.25.1",
            "architecture":"arm64"},
          "command":{"full_command":"agentpipe run -c x.yaml","tui_enabled":false,"logging_enabled":true,
            "show_metrics":true}}}
        """.formatted(conversation);
  }

  static String message(String conversation, String messageId, int sequence, String agentId, String agentType,
      String content) {
    return """
        {"type":"message.created","timestamp":"2026-11-28T16:00:%02d.5Z","data":{
          "conversation_id":"%s","message_id":"%s","agent_id":"%s","agent_type":"%s","agent_name":"Alice",
          "content":"%s","sequence_number":%d,"turn_number":1,"tokens_used":150,"input_tokens":100,
          "output_tokens":50,"cost":0.0025,"model":"claude-sonnet-4","duration_ms":1830}}
        """.formatted(sequence, conversation, messageId, agentId, agentType, content, sequence);
  }

  static String completed(String conversation, String status) {
    return """
        {"type":"conversation.completed","timestamp":"2026-11-28T16:01:00Z","data":{
          "conversation_id":"%s","status":"%s","total_messages":2,"total_turns":1,"total_tokens":300,
          "total_cost":0.005,"duration_seconds":60.5,
          "summary":{"short_text":"They designed it.","text":"A longer summary.","agent_type":"gemini",
            "model":"gemini-2.5-flash","input_tokens":400,"output_tokens":60,"total_tokens":460,"cost":0.0004,
            "duration_ms":900}}}
        """.formatted(conversation, status);
  }

  static String upload(String conversation, String firstContent) {
    return """
        {"conversation":{"id":"%s","name":"Scraper design","mode":"round-robin","initial_prompt":"Design a scraper",
           "started_at":"2026-11-28T15:00:00Z","completed_at":"2026-11-28T15:05:00Z","status":"COMPLETED",
           "total_messages":2,"total_tokens":300,"total_cost":0.01,"total_duration":4200},
         "agents":[{"agent_type":"claude","agent_name":"Alice","model":"claude-sonnet-4"},
                   {"agent_type":"gemini","agent_name":"Bob"}],
         "messages":[
           {"agent_type":"claude","agent_name":"Alice","content":%s,"timestamp":"2026-11-28T15:01:00Z",
            "sequence_number":1,"input_tokens":10,"output_tokens":20,"cost":0.004,"model":"claude-sonnet-4"},
           {"agent_type":"gemini","agent_name":"Bob","content":"Agreed.","timestamp":"2026-11-28T15:02:00Z",
            "role":"agent","tokens_used":70}]}
        """.formatted(conversation, firstContent);
  }
}
