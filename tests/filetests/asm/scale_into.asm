# scale_into (array(float64, 1d, C), array(float64, 1d, C), float, int)
  pushq %rbp
  unwind PushFrameRegs { offset_upward_to_caller_sp: 16 }
  movq %rsp, %rbp
  unwind DefineNewFrame { offset_upward_to_caller_sp: 16, offset_downward_to_clobbers: 0 }
block0:
  movq (%rdi), %r11
  movq 8(%rdi), %r11
  movq 0x10(%rdi), %r11
  movq 0x18(%rdi), %rax
  movq 0x20(%rdi), %rax
  movq 0x28(%rdi), %rax
  movq 0x30(%rdi), %rax
  movq 0x38(%rdi), %rcx
  vmovsd 0x40(%rdi), %xmm0
  movq 0x48(%rdi), %rcx
  movl 4(%rdx), %esi
  leal 1(%rsi), %r8d
  movl %r8d, 4(%rdx)
  jmp     label1
block1:
  movl 8(%rdx), %r8d
  leal 1(%rsi), %esi
  cmpl %r8d, %esi
  jnbe    label21; j label2
block2:
  jmp     label3
block3:
  jmp     label4
block4:
  movq %rcx, %r8
  addq $0x0, %r8
  seto %sil
  cmpq %rax, %r8
  setg %al
  orl %esi, %eax
  testb %al, %al
  jnz     label5; j label6
block6:
  addq $0x0, %rcx
  seto %al
  cmpq %r11, %rcx
  setg %cl
  orl %eax, %ecx
  testb %cl, %cl
  jnz     label7; j label8
block8:
  movq (%rdi), %rax
  movq 0x10(%rdi), %rcx
  leaq (%rax, %rcx, 8), %rsi
  movq 0x20(%rdi), %rcx
  cmpq %rcx, %rsi
  setbe %r10b
  movq 0x30(%rdi), %rsi
  leaq (%rcx, %rsi, 8), %rsi
  cmpq %rax, %rsi
  setbe %sil
  orl %esi, %r10d
  uninit  %rsi
  xorq %rsi, %rsi
  movq 0x48(%rdi), %r8
  leaq -4(%r8), %r11
  movabsq $0x8000000000000000, %r9
  cmpq (%rip), %r8
  cmovgeq %r11, %r9
  vmovsd 0x40(%rdi), %xmm0
  vpshufd $0x44, %xmm0, %xmm1
  testb %r10b, %r10b
  jnz     label9; j label10
block9:
  jmp     label11
block10:
  jmp     label14
block11:
  cmpq %r9, %rsi
  jnle    label12; j label13
block12:
  jmp     label14
block13:
  vmulpd (%rcx, %rsi, 8), %xmm1, %xmm2
  vmovupd %xmm2, (%rax, %rsi, 8)
  leaq 2(%rsi), %rdi
  vmulpd (%rcx, %rdi, 8), %xmm1, %xmm2
  vmovupd %xmm2, (%rax, %rdi, 8)
  leaq 4(%rsi), %rsi
  jmp     label11
block14:
  jmp     label15
block15:
  cmpq %r8, %rsi
  jnl     label18; j label16
block16:
  vmulsd (%rcx, %rsi, 8), %xmm0, %xmm1
  vmovsd %xmm1, (%rax, %rsi, 8)
  jmp     label17
block17:
  leaq 1(%rsi), %rsi
  jmp     label15
block18:
  jmp     label19
block19:
  addl $0xffffffff, 4(%rdx)
  uninit  %rax
  xorl %eax, %eax
  movq %rbp, %rsp
  popq %rbp
  retq
block5:
  jmp     label20
block7:
  jmp     label20
block20:
  movq (%rdi), %rax
  movq 8(%rdi), %rcx
  movq 0x10(%rdi), %rsi
  movq 0x18(%rdi), %r8
  movq %rax, 0x10(%rdx)
  movq %rcx, 0x18(%rdx)
  movq %rsi, 0x20(%rdx)
  movq %r8, 0x28(%rdx)
  movq 0x20(%rdi), %rax
  movq 0x28(%rdi), %rcx
  movq 0x30(%rdi), %rsi
  movq 0x38(%rdi), %r8
  movq %rax, 0x30(%rdx)
  movq %rcx, 0x38(%rdx)
  movq %rsi, 0x40(%rdx)
  movq %r8, 0x48(%rdx)
  vmovsd 0x40(%rdi), %xmm0
  vmovsd %xmm0, 0x50(%rdx)
  movq 0x48(%rdi), %rax
  movq %rax, 0x58(%rdx)
  movq $0x1, 0x60(%rdx)
  movq $0x0, 0x68(%rdx)
  movl $0x0, (%rdx)
  addl $0xffffffff, 4(%rdx)
  movl $0x2, %eax
  movq %rbp, %rsp
  popq %rbp
  retq
block21:
  movq (%rdi), %rax
  movq 8(%rdi), %rcx
  movq 0x10(%rdi), %rsi
  movq 0x18(%rdi), %r8
  movq %rax, 0x10(%rdx)
  movq %rcx, 0x18(%rdx)
  movq %rsi, 0x20(%rdx)
  movq %r8, 0x28(%rdx)
  movq 0x20(%rdi), %rsi
  movq 0x28(%rdi), %r8
  movq 0x30(%rdi), %r9
  movq 0x38(%rdi), %r10
  movq %rsi, 0x30(%rdx)
  movq %r8, 0x38(%rdx)
  movq %r9, 0x40(%rdx)
  movq %r10, 0x48(%rdx)
  vmovsd 0x40(%rdi), %xmm7
  vmovsd %xmm7, 0x50(%rdx)
  movq 0x48(%rdi), %r8
  movq %r8, 0x58(%rdx)
  movl $0x2, %eax
  movl $0x2, (%rdx)
  addl $0xffffffff, 4(%rdx)
  movq %rbp, %rsp
  popq %rbp
  retq
